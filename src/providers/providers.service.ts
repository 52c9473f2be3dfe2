import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { classifyDatabaseError } from '../common/http/database-errors.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { runList } from '../common/list/list-runner.js';
import type { Page } from '../common/list/page.js';
import { ACTIVE_RUN_STATUSES } from '../collection/collection-run.enums.js';
import { CollectionRunEntity } from '../collection/collection-run.entity.js';
import { OrganizationEntity } from '../platform/organization.entity.js';
import { maskSecrets, sealSecrets } from './connection-config.js';
import type { CreateProviderDto, ProviderDto, UpdateProviderDto } from './dto/provider.dto.js';
import type { Infrastructure } from './provider.enums.js';
import { ProviderEntity } from './provider.entity.js';

interface ProviderRow {
  id: string;
  name: string;
  description: string;
  organization_id: number;
  organization_name: string;
  vendor: string;
  provider_type: string;
  infrastructure: string;
  endpoint: string;
  connection_config: Record<string, unknown>;
  enabled: boolean;
  last_collection_at: Date | null;
  created: Date;
  modified: Date;
}

const SELECT = `p.id, p.name, p.description, p.organization_id, o.name AS organization_name, p.vendor, p.provider_type,
  p.infrastructure, p.endpoint, p.connection_config, p.enabled, p.last_collection_at, p.created, p.modified`;
const FROM = `providers p JOIN organizations o ON o.id = p.organization_id`;

/** The response shape; the only place connection_config leaves the service, masked. */
export function toProviderDto(row: ProviderRow): ProviderDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    organization: row.organization_id,
    organization_name: row.organization_name,
    vendor: row.vendor,
    provider_type: row.provider_type,
    plugin: `${row.vendor}:${row.provider_type}`,
    infrastructure: row.infrastructure,
    endpoint: row.endpoint,
    connection_config: maskSecrets(row.connection_config),
    enabled: row.enabled,
    last_collection_at: row.last_collection_at?.toISOString() ?? null,
    created: row.created.toISOString(),
    modified: row.modified.toISOString(),
  };
}

@Injectable()
export class ProvidersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  list(query: ParsedListQuery): Promise<Page<ProviderDto>> {
    return runList(this.db, query, {
      select: SELECT,
      from: FROM,
      countFrom: 'providers p',
      map: toProviderDto,
    });
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<ProviderDto> {
    const rows = await manager.query<ProviderRow[]>(`SELECT ${SELECT} FROM ${FROM} WHERE p.id = $1`, [id]);
    if (!rows[0]) throw new NotFoundError(`Provider ${id} not found.`);
    return toProviderDto(rows[0]);
  }

  create(dto: CreateProviderDto): Promise<ProviderDto> {
    return this.write(async (manager) => {
      await this.checkOrganizationAndName(manager, dto.organization, dto.name, null);
      const provider = manager.create(ProviderEntity, {
        name: dto.name,
        description: dto.description ?? '',
        organizationId: dto.organization,
        vendor: dto.vendor,
        providerType: dto.provider_type,
        infrastructure: dto.infrastructure as Infrastructure,
        endpoint: dto.endpoint ?? '',
        connectionConfig: sealSecrets(dto.connection_config ?? {}, this.secrets),
        enabled: dto.enabled ?? true,
      });
      const saved = await manager.save(provider);
      return this.get(saved.id, manager);
    });
  }

  /** PUT: every field is replaced; optional fields left out return to their defaults. */
  replace(id: string, dto: CreateProviderDto): Promise<ProviderDto> {
    return this.update(id, {
      description: '',
      endpoint: '',
      connection_config: {},
      enabled: true,
      ...dto,
    });
  }

  /** PATCH: only the fields given change. */
  update(id: string, dto: UpdateProviderDto): Promise<ProviderDto> {
    return this.write(async (manager) => {
      const provider = await manager.findOne(ProviderEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!provider) throw new NotFoundError(`Provider ${id} not found.`);
      const organizationId = dto.organization ?? provider.organizationId;
      const name = dto.name ?? provider.name;
      if (organizationId !== provider.organizationId || name !== provider.name) {
        await this.checkOrganizationAndName(manager, organizationId, name, id);
      }
      if (organizationId !== provider.organizationId) {
        // Resources carry a copy of the organization for fast scoped reads: move them too.
        await manager.query(`UPDATE resources SET organization_id = $1 WHERE provider_id = $2`, [
          organizationId,
          id,
        ]);
        await manager.query(`UPDATE resource_sightings SET organization_id = $1 WHERE provider_id = $2`, [
          organizationId,
          id,
        ]);
        await manager.query(`UPDATE resource_relationships SET organization_id = $1 WHERE provider_id = $2`, [
          organizationId,
          id,
        ]);
      }
      manager.merge(ProviderEntity, provider, {
        name,
        organizationId,
        description: dto.description ?? provider.description,
        vendor: dto.vendor ?? provider.vendor,
        providerType: dto.provider_type ?? provider.providerType,
        infrastructure: (dto.infrastructure as Infrastructure | undefined) ?? provider.infrastructure,
        endpoint: dto.endpoint ?? provider.endpoint,
        enabled: dto.enabled ?? provider.enabled,
        connectionConfig:
          dto.connection_config === undefined
            ? provider.connectionConfig
            : sealSecrets(dto.connection_config, this.secrets, provider.connectionConfig),
      });
      await manager.save(provider);
      return this.get(id, manager);
    });
  }

  /** Deletes the provider with everything collected from it (resources, sightings, runs). */
  async remove(id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const provider = await manager.findOne(ProviderEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!provider) throw new NotFoundError(`Provider ${id} not found.`);
      const active = await manager
        .createQueryBuilder(CollectionRunEntity, 'cr')
        .where('cr.provider_id = :id AND cr.status IN (:...statuses)', { id, statuses: ACTIVE_RUN_STATUSES })
        .getOne();
      if (active) {
        throw new ConflictError('A collection run of this provider is pending or running; cancel it first.', {
          collection_run: active.id,
        });
      }
      await manager.delete(ProviderEntity, { id });
    });
  }

  private async checkOrganizationAndName(
    manager: EntityManager,
    organizationId: number,
    name: string,
    selfId: string | null,
  ) {
    const organization = await manager.findOne(OrganizationEntity, { where: { id: organizationId } });
    if (!organization) {
      throw new ValidationFailedError({ organization: [`Organization ${organizationId} does not exist.`] });
    }
    const clash = await manager.query<{ id: string }[]>(
      `SELECT id FROM providers WHERE organization_id = $1 AND name = $2 AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [organizationId, name, selfId],
    );
    if (clash.length > 0) throw this.nameTaken(organization.name);
  }

  private nameTaken(organizationName: string) {
    return new ValidationFailedError({
      name: [`A provider with this name already exists in organization "${organizationName}".`],
    });
  }

  /** Runs a write in a transaction; a unique-index race on the name becomes the same 400 as the pre-check. */
  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      if (classifyDatabaseError(error) === 'unique') throw this.nameTaken('this organization');
      throw error;
    }
  }
}
