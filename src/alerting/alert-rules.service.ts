import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { isEventTypePattern } from '../events/events.service.js';
import { ActivityService, diffFields } from '../platform/activity.service.js';
import { AccessService } from '../rbac/access.service.js';
import { renderAnnotation } from './alert-enrichment.js';
import { SERVER_LABELS } from './alert-rule-matching.js';
import { parseResourceSelector } from './alert-rule-selector.js';
import { ensureBuiltinRules } from './builtin-alert-rules.js';
import {
  type AlertRuleDto,
  type AlertRuleRow,
  type CreateAlertRuleDto,
  toAlertRuleDto,
  type UpdateAlertRuleDto,
} from './dto/alert-rule.dto.js';

const SELECT = `ar.id, ar.organization_id, ar.name, ar.description, ar.builtin, ar.enabled, ar.event_types, ar.resolve_event_types, ar.categories,
  ar.severity_min, ar.field_path, ar.resource_selector, ar.alertname, ar.severity, ar.labels, ar.annotations,
  ar.max_per_hour, ar.max_critical_per_hour, ar.suppressed_count, ar.last_suppressed_at, ar.created, ar.modified`;

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_LABELS = 32;
const MAX_VALUE = 4096;
const DUPLICATE = () =>
  new ValidationFailedError({ name: ['An alert rule with this name already exists in the organization.'] });

/** The fields a heartbeat-driven rule (LinkFailed) has no use for. */
const EVENT_FIELDS = [
  'event_types',
  'resolve_event_types',
  'categories',
  'severity_min',
  'field_path',
  'resource_selector',
] as const;

/**
 * 400 naming each bad field of a rule: event types, labels (names, values, none of the
 * server's), annotation templates (the syntax the renderer takes), the resource selector
 * (through the resources list's own filter parser), and the event fields of LinkFailed.
 */
export function checkAlertRule(dto: UpdateAlertRuleDto, builtin: string | null): void {
  const errors: Record<string, string[]> = {};
  const bad = (dto.event_types ?? []).filter((t) => !isEventTypePattern(t));
  if (bad.length)
    errors.event_types = bad.map((t) => `"${t}" is not an event type or a prefix of some (resource.*)`);
  const badResolve = (dto.resolve_event_types ?? []).filter((t) => !isEventTypePattern(t));
  if (badResolve.length)
    errors.resolve_event_types = badResolve.map(
      (t) => `"${t}" is not an event type or a prefix of some (collection_run.*)`,
    );
  const stringMap = (field: 'labels' | 'annotations', value: unknown, template: boolean) => {
    if (value === undefined) return;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > MAX_LABELS) errors[field] = [`at most ${MAX_LABELS} entries`];
    for (const [name, v] of entries) {
      const key = `${field}.${name}`;
      if (!LABEL_NAME.test(name))
        errors[key] = ['names are letters, digits and _, not starting with a digit'];
      else if (field === 'labels' && (SERVER_LABELS as readonly string[]).includes(name))
        errors[key] = [`${name} is set by the server (${SERVER_LABELS.join(', ')})`];
      else if (typeof v !== 'string') errors[key] = ['must be a string'];
      else if (v.length > MAX_VALUE) errors[key] = [`at most ${MAX_VALUE} characters`];
      else if (template && v.includes('{{')) {
        const rendered = renderAnnotation(v, {});
        if ('error' in rendered) errors[key] = [`template: ${rendered.error} (only {{.name}} is supported)`];
      }
    }
  };
  stringMap('labels', dto.labels, false);
  stringMap('annotations', dto.annotations, true);
  if (typeof dto.resource_selector === 'string') {
    try {
      parseResourceSelector(dto.resource_selector);
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      Object.assign(errors, error.errors);
    }
  }
  if (builtin === 'link_failed')
    for (const field of EVENT_FIELDS) {
      const value = dto[field];
      if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
        errors[field] = ['LinkFailed follows heartbeats, not events: this field does not apply'];
    }
  if (Object.keys(errors).length) throw new ValidationFailedError(errors);
}

/** /alert-rules/: organization-scoped CRUD (alert_rule.*); built-in rules are editable, never deleted. */
@Injectable()
export class AlertRulesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'alert_rule.view', params, { organization: 'ar.organization_id' });
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<AlertRuleDto>> {
    await ensureBuiltinRules(this.db, null);
    return runList(this.db, query, {
      select: SELECT,
      from: 'alert_rules ar',
      where: await this.visible(actor, query.params),
      map: toAlertRuleDto,
    });
  }

  async get(actor: Actor, id: string, manager: EntityManager = this.db.manager): Promise<AlertRuleDto> {
    const params = new SqlParams();
    const where = [`ar.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<AlertRuleRow[]>(
      `SELECT ${SELECT} FROM alert_rules ar WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Alert rule ${id} not found.`);
    return toAlertRuleDto(rows[0]);
  }

  async create(actor: Actor, dto: CreateAlertRuleDto): Promise<AlertRuleDto> {
    const orgs = await this.db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE id = $1`, [
      dto.organization,
    ]);
    const visible =
      orgs.length > 0 &&
      ((await this.access.can(actor, 'organization.view', { organizationId: dto.organization })) ||
        (await this.access.can(actor, 'alert_rule.view', { organizationId: dto.organization })));
    if (!visible)
      throw new ValidationFailedError({ organization: [`Organization ${dto.organization} does not exist.`] });
    await this.access.require(
      actor,
      'alert_rule.add',
      { organizationId: dto.organization },
      'You cannot add alert rules to this organization.',
    );
    checkAlertRule(dto, null);
    return inTransactionUnique(
      this.db,
      async (manager) => {
        await ensureBuiltinRules(manager, [dto.organization]);
        const rows = await manager.query<{ id: string }[]>(
          `INSERT INTO alert_rules (organization_id, name, description, enabled, event_types, categories, severity_min,
             field_path, resource_selector, alertname, severity, labels, annotations, max_per_hour, max_critical_per_hour,
             resolve_event_types)
           VALUES ($1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14, $15,
             $16::text[])
           RETURNING id`,
          [
            dto.organization,
            dto.name,
            dto.description ?? '',
            dto.enabled ?? true,
            dto.event_types ?? [],
            dto.categories ?? [],
            dto.severity_min ?? null,
            dto.field_path ?? null,
            dto.resource_selector ?? null,
            dto.alertname ?? dto.name,
            dto.severity,
            JSON.stringify(dto.labels ?? {}),
            JSON.stringify(dto.annotations ?? {}),
            dto.max_per_hour ?? 50,
            dto.max_critical_per_hour ?? 10,
            dto.resolve_event_types ?? [],
          ],
        );
        const created = await this.get(actor, rows[0].id, manager);
        await this.activity.record(manager, actor, {
          operation: 'create',
          objectType: 'alert_rule',
          objectId: created.id,
          objectRepr: created.name,
          organizationId: created.organization,
          changes: diffFields({}, audit(created)),
        });
        return created;
      },
      DUPLICATE,
    );
  }

  async update(actor: Actor, id: string, dto: UpdateAlertRuleDto): Promise<AlertRuleDto> {
    const before = await this.get(actor, id);
    await this.access.require(actor, 'alert_rule.change', { organizationId: before.organization });
    if (dto.organization !== undefined && dto.organization !== before.organization)
      throw new ValidationFailedError({
        organization: ['An alert rule cannot move to another organization.'],
      });
    checkAlertRule(dto, before.builtin);
    // Nullable fields: absent keeps, null clears.
    const keep = (value: unknown) => (value === undefined ? 'keep' : 'set');
    return inTransactionUnique(
      this.db,
      async (manager) => {
        await manager.query(
          `UPDATE alert_rules SET name = coalesce($2, name), description = coalesce($3, description),
             enabled = coalesce($4, enabled), event_types = coalesce($5::text[], event_types),
             categories = coalesce($6::text[], categories),
             severity_min = CASE WHEN $7 = 'set' THEN $8 ELSE severity_min END,
             field_path = CASE WHEN $9 = 'set' THEN $10 ELSE field_path END,
             resource_selector = CASE WHEN $11 = 'set' THEN $12 ELSE resource_selector END,
             alertname = coalesce($13, alertname), severity = coalesce($14, severity),
             labels = coalesce($15::jsonb, labels), annotations = coalesce($16::jsonb, annotations),
             max_per_hour = coalesce($17, max_per_hour), max_critical_per_hour = coalesce($18, max_critical_per_hour),
             resolve_event_types = coalesce($19::text[], resolve_event_types), modified = now()
           WHERE id = $1`,
          [
            id,
            dto.name ?? null,
            dto.description ?? null,
            dto.enabled ?? null,
            dto.event_types ?? null,
            dto.categories ?? null,
            keep(dto.severity_min),
            dto.severity_min ?? null,
            keep(dto.field_path),
            dto.field_path ?? null,
            keep(dto.resource_selector),
            dto.resource_selector ?? null,
            dto.alertname ?? null,
            dto.severity ?? null,
            dto.labels === undefined ? null : JSON.stringify(dto.labels),
            dto.annotations === undefined ? null : JSON.stringify(dto.annotations),
            dto.max_per_hour ?? null,
            dto.max_critical_per_hour ?? null,
            dto.resolve_event_types ?? null,
          ],
        );
        const after = await this.get(actor, id, manager);
        await this.activity.record(manager, actor, {
          operation: 'update',
          objectType: 'alert_rule',
          objectId: id,
          objectRepr: after.name,
          organizationId: after.organization,
          changes: diffFields(audit(before), audit(after)),
        });
        return after;
      },
      DUPLICATE,
    );
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const rule = await this.get(actor, id, manager);
      await this.access.require(actor, 'alert_rule.delete', { organizationId: rule.organization });
      if (rule.builtin)
        throw new ConflictError(`${rule.name} is a built-in rule: disable it (enabled: false) instead.`);
      await manager.query(`DELETE FROM alert_rules WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'alert_rule',
        objectId: id,
        objectRepr: rule.name,
        organizationId: rule.organization,
      });
    });
  }
}

const audit = (r: AlertRuleDto) => {
  const {
    id: _id,
    organization: _o,
    suppressed_count: _s,
    last_suppressed_at: _l,
    created: _c,
    modified: _m,
    ...rest
  } = r;
  return rest;
};
