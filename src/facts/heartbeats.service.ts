import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder.js';
import { eventSeverity } from '../events/event-log.sql.js';
import { EventsService } from '../events/events.service.js';
import { UnauthorizedError } from '../common/errors.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { modifyReturning } from '../database/modify-returning.js';

interface Transition {
  id: string;
  resource_id: string | null;
  organization_id: number;
  previous: string;
  status: string;
}

/**
 * The systems' status machine: unknown → active on the first heartbeat (or push),
 * active → inactive when silent for HEARTBEAT_TIMEOUT_MINUTES, inactive → active on
 * the next heartbeat. Each transition of a system linked to a host is a change row
 * (category availability, source heartbeat) of that host.
 */
@Injectable()
export class HeartbeatsService {
  private readonly timeoutMinutes: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
    private readonly changes: ChangeRecorder,
    private readonly events: EventsService,
  ) {
    this.timeoutMinutes = config.facts.heartbeatTimeoutMinutes;
  }

  /** Records a heartbeat (and links the host when a push names it); returns the new last_heartbeat_at. */
  async beat(manager: EntityManager, systemId: string, resourceId: string | null = null): Promise<Date> {
    const rows = await modifyReturning<Transition & { last_heartbeat_at: Date }>(
      manager,
      `UPDATE systems s SET status = 'active', last_heartbeat_at = now(), resource_id = coalesce($2::uuid, s.resource_id),
         modified = CASE WHEN s.status <> 'active' OR $2::uuid IS DISTINCT FROM s.resource_id THEN now() ELSE s.modified END
       FROM (SELECT id, status FROM systems WHERE id = $1 FOR UPDATE) old
       WHERE s.id = old.id
       RETURNING s.id, s.resource_id, s.organization_id, old.status AS previous, s.status, s.last_heartbeat_at`,
      [systemId, resourceId],
    );
    // Deleted between authentication and now: its credentials are gone too.
    if (!rows[0]) throw new UnauthorizedError('Invalid system credentials.');
    await this.recordTransitions(manager, rows);
    return rows[0].last_heartbeat_at;
  }

  /** The periodic check (cluster-wide, once a minute): silent active systems become inactive. */
  async markSilentSystemsInactive(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const rows = await modifyReturning<Transition>(
        manager,
        `UPDATE systems s SET status = 'inactive', modified = now()
         FROM (SELECT id FROM systems WHERE status = 'active' AND last_heartbeat_at < now() - make_interval(mins => $1)
               FOR UPDATE SKIP LOCKED) silent
         WHERE s.id = silent.id
         RETURNING s.id, s.resource_id, s.organization_id, 'active' AS previous, s.status`,
        [this.timeoutMinutes],
      );
      await this.recordTransitions(manager, rows);
      return rows.length;
    });
  }

  /** A status transition of a system linked to a host is a change of that host (path `system.status`). */
  private async recordTransitions(manager: EntityManager, rows: Transition[]): Promise<void> {
    const transitions = rows.filter((r) => r.previous !== r.status);
    await this.events.append(
      manager,
      transitions.map((r) => ({
        type: 'system.status_changed',
        organizationId: r.organization_id,
        systemId: r.id,
        resourceId: r.resource_id,
        severity: eventSeverity(
          this.changes.classifier.classify('system.status', 'modified', r.status).severity,
        ),
        payload: { from: r.previous, to: r.status, resource: r.resource_id },
      })),
    );
    await this.changes.record(
      manager,
      { source: 'heartbeat', detectedAt: null },
      rows
        .filter((r) => r.previous !== r.status && r.resource_id !== null)
        .map((r) => ({
          resourceId: r.resource_id!,
          organizationId: r.organization_id,
          fieldPath: 'system.status',
          changeType: 'modified',
          previousValue: r.previous,
          currentValue: r.status,
        })),
    );
  }
}
