import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ForbiddenError, ValidationFailedError } from '../common/errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { AccessService } from '../rbac/access.service.js';
import { ResourcesService } from '../resources/resources.service.js';
import { normalizeIdentity, type NormalizedIdentity } from './automation-identity.js';
import {
  type AutomationPostResultDto,
  type AutomationRecordDto,
  type AutomationRecordInputDto,
  type PostAutomationRecordsDto,
  toAutomationRecordDto,
} from './dto/automation-record.dto.js';
import { matchRecords } from './record-matcher.js';

export const RECORD_SELECT = `a.id, a.organization_id, a.job_id, a.job_name, a.job_template, a.playbook, a.started_at,
  a.finished_at, a.automated_at, a.status, a.task_counts, a.host_name, a.smbios_serial, a.bios_uuid, a.mac_addresses,
  a.ip_addresses, a.fqdn, a.hostname, a.resource_id, r.name AS resource_name, a.match_status, a.match_rule,
  a.match_confidence, a.matched_at, a.created, a.modified`;
const RECORD_FROM = `automation_records a LEFT JOIN resources r ON r.id = a.resource_id`;

/** Task count names a record may carry, and how large one may be. */
const MAX_TASK_COUNTS = 16;

interface PreparedRecord extends NormalizedIdentity {
  job_id: string;
  job_name: string;
  job_template: string;
  playbook: string;
  started_at: string;
  finished_at: string | null;
  automated_at: string;
  status: string;
  task_counts: Record<string, number>;
  host_name: string;
}

/**
 * /automation-records/: job results per host, posted in bulk (automation_record.add),
 * stored once per (organization, job_id, host_name) and matched to the organization's
 * resources (record-matcher.ts) in the same transaction.
 */
@Injectable()
export class AutomationRecordsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    private readonly access: AccessService,
    private readonly resources: ResourcesService,
  ) {}

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'automation_record.view', params, {
      organization: 'a.organization_id',
    });
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<AutomationRecordDto>> {
    return runList(this.db, query, {
      select: RECORD_SELECT,
      from: RECORD_FROM,
      countFrom: 'automation_records a',
      where: await this.visible(actor, query.params),
      map: toAutomationRecordDto,
    });
  }

  /** The records matched to one resource the caller can see (404 otherwise). */
  async listForResource(
    actor: Actor,
    resourceId: string,
    query: ParsedListQuery,
  ): Promise<Page<AutomationRecordDto>> {
    await this.resources.assertVisible(actor, resourceId);
    return runList(this.db, query, {
      select: RECORD_SELECT,
      from: RECORD_FROM,
      countFrom: 'automation_records a',
      where: [
        `a.resource_id = ${query.params.add(resourceId)}::uuid`,
        ...(await this.visible(actor, query.params)),
      ],
      map: toAutomationRecordDto,
    });
  }

  /**
   * A provider moved to another organization: records stay in their own organization
   * (they are that organization's jobs) but no longer point at its resources, which are
   * now another tenant's, as a system stays and loses its host. Their matches, proposals
   * and the decisions about those resources go; the records are unmatched until posted again.
   */
  async moveProvider(manager: EntityManager, providerId: string, organizationId: number): Promise<void> {
    const moved = `SELECT id FROM resources WHERE provider_id = $1::uuid`;
    await manager.query(
      `DELETE FROM automation_host_decisions WHERE resource_id IN (${moved}) AND organization_id <> $2`,
      [providerId, organizationId],
    );
    await manager.query(
      `WITH dropped AS (
         DELETE FROM pending_matches WHERE resource_id IN (${moved}) AND organization_id <> $2 RETURNING record_id
       )
       UPDATE automation_records a SET match_status = 'unmatched', match_rule = NULL, match_confidence = NULL,
         modified = now()
       WHERE a.id IN (SELECT record_id FROM dropped) AND a.match_status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM pending_matches o WHERE o.record_id = a.id AND o.status = 'pending'
           AND o.id NOT IN (SELECT pm.id FROM pending_matches pm WHERE pm.resource_id IN (${moved})))`,
      [providerId, organizationId],
    );
    await manager.query(
      `UPDATE automation_records SET resource_id = NULL, match_status = 'unmatched', match_rule = NULL,
         match_confidence = NULL, matched_at = NULL, modified = now()
       WHERE resource_id IN (${moved}) AND organization_id <> $2`,
      [providerId, organizationId],
    );
  }

  /**
   * The organization the records go to: the one named, which the caller must hold
   * automation_record.add on; or, when none is named, the only one the caller may add to.
   */
  private async organizationFor(actor: Actor, requested: number | undefined): Promise<number> {
    const scope = await this.access.scope(actor, 'automation_record.add');
    if (requested !== undefined) {
      if (!scope.all && !scope.organizations.includes(requested))
        throw new ForbiddenError(`You cannot add automation records to organization ${requested}.`);
      const rows = await this.db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE id = $1`, [
        requested,
      ]);
      if (!rows[0])
        throw new ValidationFailedError({ organization: [`Organization ${requested} does not exist.`] });
      return requested;
    }
    const candidates = scope.all
      ? (await this.db.query<{ id: number }[]>(`SELECT id FROM organizations ORDER BY id LIMIT 2`)).map(
          (r) => r.id,
        )
      : [...new Set(scope.organizations)];
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0)
      throw new ForbiddenError(
        'You cannot add automation records to any organization (automation_record.add).',
      );
    throw new ValidationFailedError({
      organization: [
        'organization is required: you may add automation records to more than one organization.',
      ],
    });
  }

  /** 400 naming `records.<index>.<field>` for everything the DTO cannot say (all at once). */
  private prepare(records: AutomationRecordInputDto[]): PreparedRecord[] {
    const errors: Record<string, string[]> = {};
    const add = (path: string, message: string) => (errors[path] ??= []).push(message);
    const seen = new Map<string, number>();
    const prepared = records.map((record, index): PreparedRecord => {
      const at = `records.${index}`;
      const identity = normalizeIdentity(record.identity, (field, message) =>
        add(`${at}.identity.${field}`, message),
      );
      const started = new Date(record.started_at);
      const finished = record.finished_at ? new Date(record.finished_at) : null;
      if (Number.isNaN(started.getTime())) add(`${at}.started_at`, 'started_at is not a valid time.');
      if (finished !== null && Number.isNaN(finished.getTime()))
        add(`${at}.finished_at`, 'finished_at is not a valid time.');
      else if (finished !== null && finished < started)
        add(`${at}.finished_at`, 'finished_at must not be before started_at.');
      const counts = record.task_counts ?? {};
      const names = Object.keys(counts);
      if (names.length > MAX_TASK_COUNTS) add(`${at}.task_counts`, `At most ${MAX_TASK_COUNTS} counts.`);
      for (const name of names) {
        const value = counts[name];
        if (!/^[a-z_]{1,32}$/.test(name) || !Number.isInteger(value) || value < 0 || value > 1e9)
          add(
            `${at}.task_counts`,
            `task_counts.${name.slice(0, 40)} must be a whole number from 0 (names: a-z and _).`,
          );
      }
      const hostName = record.host_name.trim();
      if (hostName === '') add(`${at}.host_name`, 'host_name must not be blank.');
      const jobId = record.job_id.trim();
      if (jobId === '') add(`${at}.job_id`, 'job_id must not be blank.');
      const key = `${jobId}\u0000${hostName}`;
      const earlier = seen.get(key);
      if (earlier !== undefined)
        add(
          `${at}.host_name`,
          `Record ${earlier} has the same job_id and host_name; post each host of a job once.`,
        );
      else seen.set(key, index);
      const valid = (time: Date | null): time is Date => time !== null && !Number.isNaN(time.getTime());
      return {
        job_id: jobId,
        job_name: (record.job_name ?? '').trim(),
        job_template: (record.job_template ?? '').trim(),
        playbook: (record.playbook ?? '').trim(),
        started_at: valid(started) ? started.toISOString() : '',
        finished_at: valid(finished) ? finished.toISOString() : null,
        automated_at: valid(finished) ? finished.toISOString() : valid(started) ? started.toISOString() : '',
        status: record.status,
        task_counts: counts,
        host_name: hostName,
        ...identity,
      };
    });
    if (Object.keys(errors).length > 0) {
      const first = Object.keys(errors)[0];
      throw new ValidationFailedError(errors, `${first}: ${errors[first][0]}`);
    }
    return prepared;
  }

  /**
   * Stores the records (one INSERT … ON CONFLICT for the batch: a repeated (job_id,
   * host_name) updates its row) and matches every one not confirmed by a person, all in
   * one transaction: a bad record leaves nothing written.
   */
  async post(actor: Actor, body: PostAutomationRecordsDto): Promise<AutomationPostResultDto> {
    const records = this.prepare(body.records);
    const organizationId = await this.organizationFor(actor, body.organization);
    const { rules, autoMatchThreshold } = this.config.automation;
    return this.db.transaction(async (manager) => {
      const stored = await manager.query<
        { id: string; job_id: string; host_name: string; inserted: boolean }[]
      >(
        `INSERT INTO automation_records (organization_id, job_id, job_name, job_template, playbook, started_at,
           finished_at, automated_at, status, task_counts, host_name, smbios_serial, bios_uuid, mac_addresses,
           ip_addresses, fqdn, hostname, created_by_id)
         SELECT $1, x.job_id, x.job_name, x.job_template, x.playbook, x.started_at, x.finished_at, x.automated_at,
           x.status, x.task_counts, x.host_name, x.smbios_serial, x.bios_uuid, x.mac_addresses, x.ip_addresses,
           x.fqdn, x.hostname, $3
         FROM jsonb_to_recordset($2::jsonb) AS x(job_id text, job_name text, job_template text, playbook text,
           started_at timestamptz, finished_at timestamptz, automated_at timestamptz, status text, task_counts jsonb,
           host_name text, smbios_serial text, bios_uuid text, mac_addresses text[], ip_addresses text[], fqdn text,
           hostname text)
         -- One order for every writer, so two batches sharing hosts lock their rows in the same order.
         ORDER BY x.job_id, x.host_name
         ON CONFLICT (organization_id, job_id, host_name) DO UPDATE SET job_name = EXCLUDED.job_name,
           job_template = EXCLUDED.job_template, playbook = EXCLUDED.playbook, started_at = EXCLUDED.started_at,
           finished_at = EXCLUDED.finished_at, automated_at = EXCLUDED.automated_at, status = EXCLUDED.status,
           task_counts = EXCLUDED.task_counts, smbios_serial = EXCLUDED.smbios_serial, bios_uuid = EXCLUDED.bios_uuid,
           mac_addresses = EXCLUDED.mac_addresses, ip_addresses = EXCLUDED.ip_addresses, fqdn = EXCLUDED.fqdn,
           hostname = EXCLUDED.hostname, modified = now()
         RETURNING id, job_id, host_name, (xmax = 0) AS inserted`,
        [organizationId, JSON.stringify(records), actor.id],
      );
      const ids = stored.map((row) => row.id);
      // A match a person confirmed is kept whatever the host reports now.
      const toMatch = (
        await manager.query<{ id: string }[]>(
          `SELECT id FROM automation_records WHERE id = ANY($1::uuid[]) AND match_status <> 'confirmed'`,
          [ids],
        )
      ).map((row) => row.id);
      await matchRecords(manager, organizationId, toMatch, rules, autoMatchThreshold);
      const outcome = await manager.query<
        {
          id: string;
          match_status: string;
          resource_id: string | null;
          match_rule: string | null;
          match_confidence: string | null;
        }[]
      >(
        `SELECT id, match_status, resource_id, match_rule, match_confidence FROM automation_records
         WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      const byId = new Map(outcome.map((row) => [row.id, row]));
      const byKey = new Map(stored.map((row) => [`${row.job_id}\u0000${row.host_name}`, row]));
      const summary: Record<string, number> = {};
      const results = records.map((record, index) => {
        const row = byKey.get(`${record.job_id}\u0000${record.host_name}`)!;
        const match = byId.get(row.id)!;
        summary[match.match_status] = (summary[match.match_status] ?? 0) + 1;
        return {
          index,
          id: row.id,
          job_id: row.job_id,
          host_name: row.host_name,
          created: row.inserted,
          match_status: match.match_status,
          resource: match.resource_id,
          match_rule: match.match_rule,
          match_confidence: match.match_confidence === null ? null : Number(match.match_confidence),
        };
      });
      const created = stored.filter((row) => row.inserted).length;
      return {
        organization: organizationId,
        created,
        updated: stored.length - created,
        match_summary: summary,
        records: results,
      };
    });
  }
}
