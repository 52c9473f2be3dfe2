import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { SECRET_BOX, SecretBox, webhookSecrets } from '../common/crypto/secret-box.js';
import { NotFoundError, ValidationFailedError } from '../common/errors.js';
import { inTransactionUnique } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { SqlParams } from '../common/list/sql-params.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { isEventTypePattern } from '../events/events.service.js';
import { ActivityService, diffFields } from '../platform/activity.service.js';
import { AccessService } from '../rbac/access.service.js';
import {
  type CreateWebhookDto,
  type DeliveryRow,
  toDeliveryDto,
  toWebhookDto,
  type UpdateWebhookDto,
  type WebhookDeliveryDto,
  type WebhookDto,
  type WebhookRow,
} from './dto/webhook.dto.js';
import { insertDeliveries, WebhookDeliveries } from './webhook-deliveries.js';
import { isPrivateAddress, resolveAll, urlHost, urlProblem } from './webhook-targets.js';

const SELECT = `w.id, w.organization_id, w.name, w.url, w.event_types, w.enabled, w.created, w.modified`;
const DELIVERY_SELECT = `d.id, d.webhook_id, d.event_id::text AS event_id, d.event_type, d.status, d.attempt,
  d.response_code, d.duration_ms, d.error, d.next_attempt_at, d.delivered_at, d.redelivery_of, d.created, d.modified`;
const PRIVATE = 'must not point at a loopback, link-local or private address';

/** /webhooks/: organization-scoped CRUD (webhook.*), the delivery log, redelivery and test pings. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
    private readonly deliveries: WebhookDeliveries,
  ) {}

  private visible(actor: Actor, params: SqlParams): Promise<string[]> {
    return this.access.visibleWhere(actor, 'webhook.view', params, { organization: 'w.organization_id' });
  }

  async list(actor: Actor, query: ParsedListQuery): Promise<Page<WebhookDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: 'webhooks w',
      where: await this.visible(actor, query.params),
      map: toWebhookDto,
    });
  }

  async get(actor: Actor, id: string, manager: EntityManager = this.db.manager): Promise<WebhookDto> {
    const params = new SqlParams();
    const where = [`w.id = ${params.add(id)}`, ...(await this.visible(actor, params))];
    const rows = await manager.query<WebhookRow[]>(
      `SELECT ${SELECT} FROM webhooks w WHERE ${where.join(' AND ')}`,
      params.values,
    );
    if (!rows[0]) throw new NotFoundError(`Webhook ${id} not found.`);
    return toWebhookDto(rows[0]);
  }

  /** 400 naming each bad field: URL (scheme, credentials, private targets after resolution) and event types. */
  private async check(dto: UpdateWebhookDto): Promise<void> {
    const errors: Record<string, string[]> = {};
    const allowPrivate = this.config.webhooks.allowPrivateTargets;
    if (dto.url !== undefined) {
      const problem = urlProblem(dto.url, allowPrivate);
      if (problem) errors.url = [problem];
      else if (!allowPrivate) {
        // A name that does not resolve now is accepted; every delivery resolves and checks again.
        const addresses = await resolveAll(urlHost(new URL(dto.url))).catch(() => [] as string[]);
        if (addresses.some(isPrivateAddress)) errors.url = [PRIVATE];
      }
    }
    const bad = (dto.event_types ?? []).filter((t) => !isEventTypePattern(t));
    if (bad.length)
      errors.event_types = bad.map((t) => `"${t}" is not an event type or a prefix of some (resource.*)`);
    if (Object.keys(errors).length) throw new ValidationFailedError(errors);
  }

  async create(actor: Actor, dto: CreateWebhookDto): Promise<WebhookDto> {
    const orgs = await this.db.query<{ id: number }[]>(`SELECT id FROM organizations WHERE id = $1`, [
      dto.organization,
    ]);
    const visible =
      orgs.length > 0 &&
      ((await this.access.can(actor, 'organization.view', { organizationId: dto.organization })) ||
        (await this.access.can(actor, 'webhook.view', { organizationId: dto.organization })));
    if (!visible)
      throw new ValidationFailedError({ organization: [`Organization ${dto.organization} does not exist.`] });
    await this.access.require(
      actor,
      'webhook.add',
      { organizationId: dto.organization },
      'You cannot add webhooks to this organization.',
    );
    await this.check(dto);
    return inTransactionUnique(
      this.db,
      async (manager) => {
        // The id is chosen here: the secret is sealed bound to its webhook.
        const id = randomUUID();
        const rows = await manager.query<{ id: string }[]>(
          `INSERT INTO webhooks (id, organization_id, name, url, event_types, secret, enabled)
           VALUES ($7, $1, $2, $3, $4::text[], $5, $6) RETURNING id`,
          [
            dto.organization,
            dto.name,
            dto.url,
            dto.event_types ?? [],
            webhookSecrets(this.secrets, id).seal(dto.secret, 'secret'),
            dto.enabled ?? true,
            id,
          ],
        );
        const created = await this.get(actor, rows[0].id, manager);
        await this.activity.record(manager, actor, {
          operation: 'create',
          objectType: 'webhook',
          objectId: created.id,
          objectRepr: created.name,
          organizationId: created.organization,
          changes: diffFields({}, audit(created)),
        });
        return created;
      },
      () =>
        new ValidationFailedError({ name: ['A webhook with this name already exists in the organization.'] }),
    );
  }

  async update(actor: Actor, id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    const before = await this.get(actor, id);
    await this.access.require(actor, 'webhook.change', { organizationId: before.organization });
    if (dto.organization !== undefined && dto.organization !== before.organization)
      throw new ValidationFailedError({ organization: ['A webhook cannot move to another organization.'] });
    await this.check(dto);
    return inTransactionUnique(
      this.db,
      async (manager) => {
        await manager.query(
          `UPDATE webhooks SET name = coalesce($2, name), url = coalesce($3, url),
             event_types = coalesce($4::text[], event_types), secret = coalesce($5, secret),
             enabled = coalesce($6, enabled), modified = now()
           WHERE id = $1`,
          [
            id,
            dto.name ?? null,
            dto.url ?? null,
            dto.event_types ?? null,
            dto.secret === undefined ? null : webhookSecrets(this.secrets, id).seal(dto.secret, 'secret'),
            dto.enabled ?? null,
          ],
        );
        const after = await this.get(actor, id, manager);
        const changes = diffFields(audit(before), audit(after));
        if (dto.secret !== undefined) changes.secret = ['********', '********'];
        await this.activity.record(manager, actor, {
          operation: 'update',
          objectType: 'webhook',
          objectId: id,
          objectRepr: after.name,
          organizationId: after.organization,
          changes,
        });
        return after;
      },
      () =>
        new ValidationFailedError({ name: ['A webhook with this name already exists in the organization.'] }),
    );
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const hook = await this.get(actor, id, manager);
      await this.access.require(actor, 'webhook.delete', { organizationId: hook.organization });
      await manager.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
      await this.activity.record(manager, actor, {
        operation: 'delete',
        objectType: 'webhook',
        objectId: id,
        objectRepr: hook.name,
        organizationId: hook.organization,
      });
    });
  }

  async listDeliveries(actor: Actor, id: string, query: ParsedListQuery): Promise<Page<WebhookDeliveryDto>> {
    await this.get(actor, id);
    return runList(this.db, query, {
      select: DELIVERY_SELECT,
      from: 'webhook_deliveries d',
      where: [`d.webhook_id = ${query.params.add(id)}`],
      map: toDeliveryDto,
    });
  }

  async getDelivery(actor: Actor, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.get(actor, id);
    return toDeliveryDto(await this.deliveryRow(id, deliveryId));
  }

  private async deliveryRow(webhookId: string, deliveryId: string): Promise<DeliveryRow> {
    const rows = await this.db.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_SELECT} FROM webhook_deliveries d WHERE d.id = $1 AND d.webhook_id = $2`,
      [deliveryId, webhookId],
    );
    if (!rows[0]) throw new NotFoundError(`Delivery ${deliveryId} of webhook ${webhookId} not found.`);
    return rows[0];
  }

  /** A new delivery of the same body (a new X-Inventory-Delivery id), queued at once. */
  async redeliver(actor: Actor, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    const hook = await this.get(actor, id);
    await this.access.require(actor, 'webhook.change', { organizationId: hook.organization });
    await this.deliveryRow(id, deliveryId);
    const [newId] = await this.db.transaction(async (manager) => {
      const [original] = await manager.query<{ event_id: string | null; event_type: string; body: string }[]>(
        `SELECT event_id::text AS event_id, event_type, body FROM webhook_deliveries WHERE id = $1`,
        [deliveryId],
      );
      return insertDeliveries(manager, [{ webhook_id: id, ...original, redelivery_of: deliveryId }]);
    });
    await this.deliveries.enqueue([newId]);
    return toDeliveryDto(await this.deliveryRow(id, newId));
  }

  /** Sends a `webhook.test` ping through the normal delivery path. */
  async test(actor: Actor, id: string): Promise<WebhookDeliveryDto> {
    const hook = await this.get(actor, id);
    await this.access.require(actor, 'webhook.change', { organizationId: hook.organization });
    const body = JSON.stringify({
      type: 'webhook.test',
      webhook: { id: hook.id, name: hook.name, organization: hook.organization },
      sent_at: new Date().toISOString(),
    });
    const [newId] = await insertDeliveries(this.db, [
      { webhook_id: id, event_id: null, event_type: 'webhook.test', body },
    ]);
    await this.deliveries.enqueue([newId]);
    return toDeliveryDto(await this.deliveryRow(id, newId));
  }
}

const audit = (w: WebhookDto) => ({
  name: w.name,
  url: w.url,
  event_types: w.event_types,
  enabled: w.enabled,
});
