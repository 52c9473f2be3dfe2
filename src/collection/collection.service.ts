import { Injectable } from '@nestjs/common';
import { EventsService } from '../events/events.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { classifyDatabaseError } from '../common/http/database-errors.js';
import { flattenValidationErrors } from '../common/http/validation.pipe.js';
import { modifyReturning } from '../database/modify-returning.js';
import { ActivityService } from '../platform/activity.service.js';
import { PluginsService } from '../plugins/plugins.service.js';
import { AccessService } from '../rbac/access.service.js';
import { appendRunEvents } from './collection-run-events.sql.js';
import { CollectionQueue } from './collection-queue.js';
import type { CollectionType, RunTrigger } from './collection-run.enums.js';
import { CollectionRunsService } from './collection-runs.service.js';
import { CollectRequestDto, type CollectionRunDto } from './dto/collection-run.dto.js';

/**
 * Starting and canceling collection runs. The one-active-run rule is the partial unique
 * index UQ_collection_runs_one_active_per_provider: concurrent requests race on the
 * INSERT and all but one get the 409.
 */
@Injectable()
export class CollectionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly runs: CollectionRunsService,
    private readonly queue: CollectionQueue,
    private readonly events: EventsService,
    private readonly plugins: PluginsService,
  ) {}

  /** 404 → 403 → 409 nothing to collect with → 409 disabled → 409 already active → 400 body → 202. */
  async collect(actor: Actor, providerId: string, body: unknown): Promise<CollectionRunDto> {
    const scope = await this.access.scope(actor, 'provider.view');
    const [provider] = await this.db.query<
      {
        id: string;
        name: string;
        organization_id: number;
        enabled: boolean;
        vendor: string;
        provider_type: string;
      }[]
    >(`SELECT id, name, organization_id, enabled, vendor, provider_type FROM providers WHERE id = $1`, [
      providerId,
    ]);
    const visible =
      provider &&
      (scope.all ||
        scope.organizations.includes(provider.organization_id) ||
        scope.providers.includes(provider.id));
    if (!provider || !visible) throw new NotFoundError(`Provider ${providerId} not found.`);
    await this.access.require(
      actor,
      'provider.collect',
      { organizationId: provider.organization_id, providerId },
      'You cannot start collections of this provider.',
    );
    // A run of a provider without a plugin could only fail on the worker: refuse it here.
    const uncollectable = this.plugins.whyNotCollectable(provider.vendor, provider.provider_type);
    if (uncollectable) throw new ConflictError(uncollectable);
    if (!provider.enabled)
      throw new ConflictError(`Provider "${provider.name}" is disabled; enable it to collect.`);
    const active = await this.activeRun(providerId);
    if (active)
      throw new ConflictError('A collection run of this provider is already pending or running.', {
        collection_run: active,
      });
    const request = await this.parseBody(body);
    const run = await this.start(providerId, {
      collectionType:
        request.collection_type ?? (request.target_resource_types?.length ? 'targeted' : 'full'),
      targetResourceTypes: request.target_resource_types ?? [],
      triggeredBy: 'user',
      userId: actor.id,
    });
    await this.activity.record(this.db.manager, actor, {
      operation: 'collect',
      objectType: 'provider',
      objectId: providerId,
      objectRepr: provider.name,
      organizationId: provider.organization_id,
      changes: { collection_run: [null, run.id] },
    });
    return run;
  }

  /**
   * Inserts a pending run and enqueues it. Throws ConflictError (with the active run's
   * id) when another run of the provider is pending or running.
   */
  async start(
    providerId: string,
    options: {
      collectionType: CollectionType;
      targetResourceTypes: string[];
      triggeredBy: RunTrigger;
      userId: number | null;
    },
  ): Promise<CollectionRunDto> {
    let runId: string;
    try {
      const rows = await this.db.query<{ id: string }[]>(
        `INSERT INTO collection_runs (provider_id, status, collection_type, target_resource_types, triggered_by, triggered_by_user_id)
         VALUES ($1, 'pending', $2, $3, $4, $5) RETURNING id`,
        [
          providerId,
          options.collectionType,
          options.targetResourceTypes,
          options.triggeredBy,
          options.userId,
        ],
      );
      runId = rows[0].id;
    } catch (error) {
      if (classifyDatabaseError(error) === 'unique') {
        throw new ConflictError('A collection run of this provider is already pending or running.', {
          collection_run: await this.activeRun(providerId),
        });
      }
      throw error;
    }
    try {
      const taskId = await this.queue.enqueue(runId);
      await this.db.query(`UPDATE collection_runs SET task_id = $2 WHERE id = $1`, [runId, taskId]);
    } catch (error) {
      await this.db.transaction(async (manager) => {
        const failed = await modifyReturning<{ id: string }>(
          manager,
          `UPDATE collection_runs SET status = 'failed', completed_at = now(), error_message = $2 WHERE id = $1 AND status = 'pending' RETURNING id`,
          [runId, `Could not queue the run: ${(error as Error).message}`],
        );
        await appendRunEvents(
          this.events,
          manager,
          failed.map((r) => r.id),
        );
      });
      throw error;
    }
    return this.runs.get({ id: 0, username: 'system', isSuperuser: true, authenticatedBy: 'token' }, runId);
  }

  /** 200 with the run; 409 when it already ended. A pending run ends at once; a running one at its next batch. */
  async cancel(actor: Actor, runId: string): Promise<CollectionRunDto> {
    const run = await this.runs.get(actor, runId);
    const [provider] = await this.db.query<{ organization_id: number; name: string }[]>(
      `SELECT organization_id, name FROM providers WHERE id = $1`,
      [run.provider],
    );
    await this.access.require(
      actor,
      'provider.collect',
      { organizationId: provider.organization_id, providerId: run.provider },
      'You cannot cancel collections of this provider.',
    );
    const [changed] = await this.db.transaction(async (manager) => {
      const rows = await modifyReturning<{ status: string }>(
        manager,
        `UPDATE collection_runs SET
         status = CASE WHEN status = 'pending' THEN 'canceled' ELSE status END,
         completed_at = CASE WHEN status = 'pending' THEN now() ELSE completed_at END,
         cancel_requested_at = coalesce(cancel_requested_at, now()), modified = now()
       WHERE id = $1 AND status IN ('pending', 'running') RETURNING status`,
        [runId],
      );
      // A pending run ends here; a running one ends (with its event) in the executor.
      if (rows[0]?.status === 'canceled') await appendRunEvents(this.events, manager, [runId]);
      return rows;
    });
    if (!changed)
      throw new ConflictError(`The run already ended (${run.status}).`, { collection_run: runId });
    await this.activity.record(this.db.manager, actor, {
      operation: 'cancel',
      objectType: 'collection_run',
      objectId: runId,
      objectRepr: `${provider.name} run`,
      organizationId: provider.organization_id,
    });
    return this.runs.get(actor, runId);
  }

  private async activeRun(providerId: string): Promise<string | null> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM collection_runs WHERE provider_id = $1 AND status IN ('pending', 'running') LIMIT 1`,
      [providerId],
    );
    return rows[0]?.id ?? null;
  }

  private async parseBody(body: unknown): Promise<CollectRequestDto> {
    if (body === undefined || body === null || body === '') return {};
    if (typeof body !== 'object' || Array.isArray(body))
      throw new ValidationFailedError({ body: ['The body must be a JSON object.'] });
    const dto = plainToInstance(CollectRequestDto, body);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw new ValidationFailedError(flattenValidationErrors(errors));
    if (dto.target_resource_types?.length) {
      const known = await this.db.query<{ slug: string }[]>(
        `SELECT slug FROM resource_types WHERE slug = ANY($1)`,
        [dto.target_resource_types],
      );
      const unknown = dto.target_resource_types.filter((t) => !known.some((k) => k.slug === t));
      if (unknown.length)
        throw new ValidationFailedError({
          target_resource_types: [`Unknown resource types: ${unknown.join(', ')}.`],
        });
    }
    if (dto.collection_type === 'targeted' && !dto.target_resource_types?.length) {
      throw new ValidationFailedError({
        target_resource_types: ['A targeted collection needs at least one resource type.'],
      });
    }
    return dto;
  }
}
