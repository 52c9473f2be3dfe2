import type {} from '@fastify/multipart';
import { readUploadedFile } from '../common/http/uploaded-file.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { providerSecrets, SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../common/errors.js';
import { wholeList } from '../common/list/page.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { ActivityService } from '../platform/activity.service.js';
import { openSecrets, scrubberFor } from '../providers/connection-config.js';
import { AccessService } from '../rbac/access.service.js';
import { withDefaults } from './connection-parameters.js';
import type { PluginDetailDto, PluginDto, PluginRefreshDto, PluginTestDto } from './dto/plugin.dto.js';
import { pluginKey } from './plugin.contract.js';
import type { RegisteredPlugin } from './plugin-registry.js';
import { inspectArchive, PluginArchiveError, pluginFolderName, storeArchive } from './plugin-uploads.js';
import { PluginsService } from './plugins.service.js';

@Injectable()
export class ProviderPluginsService {
  private readonly logger = new Logger('Plugins');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    private readonly plugins: PluginsService,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  async list(actor: Actor) {
    const counts = await this.providerCounts(actor);
    return wholeList(this.plugins.registry.list().map((p) => this.toDto(p, counts.get(p.key) ?? 0)));
  }

  async get(actor: Actor, key: string): Promise<PluginDetailDto> {
    const plugin = this.plugins.registry.get(key);
    if (!plugin)
      throw new NotFoundError(
        `No plugin "${key}". Installed: ${this.plugins.registry
          .list()
          .map((p) => p.key)
          .join(', ')}.`,
      );
    const counts = await this.providerCounts(actor);
    return { ...this.toDto(plugin, counts.get(key) ?? 0), dependencies: plugin.dependencies };
  }

  /** validateConnection for each enabled provider of the plugin that the caller can change. */
  async test(actor: Actor, key: string): Promise<PluginTestDto> {
    const plugin = this.plugins.registry.get(key);
    if (!plugin) throw new NotFoundError(`No plugin "${key}".`);
    const [vendor, providerType] = key.split(':');
    const providers = await this.db.query<
      {
        id: string;
        name: string;
        organization_id: number;
        endpoint: string;
        connection_config: Record<string, unknown>;
      }[]
    >(
      `SELECT id, name, organization_id, endpoint, connection_config FROM providers WHERE vendor = $1 AND provider_type = $2 AND enabled ORDER BY name`,
      [vendor, providerType],
    );
    const results = [];
    for (const provider of providers) {
      if (
        !(await this.access.can(actor, 'provider.change', {
          organizationId: provider.organization_id,
          providerId: provider.id,
        }))
      )
        continue;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 60_000);
      // What the plugin answers or throws loses this provider's secrets first.
      const scrubber = scrubberFor(
        provider.connection_config,
        providerSecrets(this.secrets, provider.id),
        provider.endpoint,
      );
      try {
        const outcome = await plugin.plugin.validateConnection({
          provider: { id: provider.id, name: provider.name, endpoint: provider.endpoint },
          config: withDefaults(
            plugin.plugin.manifest,
            openSecrets(provider.connection_config, providerSecrets(this.secrets, provider.id)),
          ),
          options: { collection_type: 'full', target_resource_types: [] },
          logger: {
            debug: (m) => this.logger.debug(`[${provider.name}] ${scrubber.scrub(String(m))}`),
            info: (m) => this.logger.log(`[${provider.name}] ${scrubber.scrub(String(m))}`),
            warn: (m) => this.logger.warn(`[${provider.name}] ${scrubber.scrub(String(m))}`),
          },
          signal: abort.signal,
          clock: () => new Date(),
        });
        results.push({
          provider: provider.id,
          provider_name: provider.name,
          ok: Boolean(outcome.ok),
          message: scrubber.scrub(String(outcome.message ?? '')),
        });
      } catch (error) {
        results.push({
          provider: provider.id,
          provider_name: provider.name,
          ok: false,
          message: scrubber.scrub(error instanceof Error ? error.message : String(error)),
        });
      } finally {
        clearTimeout(timer);
      }
    }
    return { plugin: key, results };
  }

  async refresh(actor: Actor): Promise<PluginRefreshDto> {
    this.access.requireSuperuser(actor, 'Only a superuser can refresh plugins.');
    const count = await this.plugins.refreshEverywhere();
    await this.activity.record(this.db.manager, actor, {
      operation: 'refresh',
      objectType: 'provider_plugin',
      objectId: '*',
      objectRepr: 'plugin registry',
      organizationId: null,
      changes: { count: [null, count] },
    });
    return { count, problems: this.plugins.registry.problems };
  }

  async upload(
    actor: Actor,
    request: FastifyRequest,
    forceParam?: string | string[],
  ): Promise<PluginDetailDto> {
    if (!this.config.pluginUploadEnabled)
      throw new ForbiddenError('Plugin upload is disabled; set PLUGIN_UPLOAD_ENABLED=true to allow it.');
    this.access.requireSuperuser(actor, 'Only a superuser can upload plugins.');
    if (Array.isArray(forceParam)) throw new ValidationFailedError({ force: ['may be given only once.'] });
    if (forceParam !== undefined && forceParam !== 'true' && forceParam !== 'false') {
      throw new ValidationFailedError({ force: [`"${forceParam}" is not a boolean; use true or false.`] });
    }
    const force = forceParam === 'true';
    const { content: archive } = await readUploadedFile(
      request,
      'archive',
      this.config.pluginUploadMaxBytes,
      {
        sendHint: 'Send multipart/form-data with the .tar.gz in the "archive" field.',
        name: 'archive',
      },
    );
    let manifest;
    try {
      manifest = await inspectArchive(archive, this.config.pluginUploadMaxBytes);
    } catch (error) {
      if (error instanceof PluginArchiveError) throw new ValidationFailedError({ archive: [error.message] });
      throw error;
    }
    const key = pluginKey(manifest);
    const existing = this.plugins.registry.get(key);
    if (existing && existing.source !== 'folder')
      throw new ConflictError(`"${key}" is a ${existing.source} plugin and cannot be replaced by an upload.`);
    if (existing && !force)
      throw new ConflictError(`Plugin "${key}" already exists; upload with ?force=true to replace it.`);
    // Two keys must never unpack to the same folder (`a--b:c` and `a:b--c` would).
    const folder = pluginFolderName(key);
    const sharing = (
      await this.db.query<{ key: string }[]>(`SELECT key FROM provider_plugin_archives WHERE key <> $1`, [
        key,
      ])
    ).find((row) => pluginFolderName(row.key) === folder);
    if (sharing)
      throw new ConflictError(
        `Plugin "${key}" would unpack to the same folder (${folder}) as the uploaded plugin "${sharing.key}"; choose another vendor or provider_type.`,
      );
    await storeArchive(this.db, manifest, archive, actor.id);
    await this.plugins.refreshEverywhere();
    const loaded = this.plugins.registry.get(key);
    if (!loaded) {
      throw new ValidationFailedError({
        archive: [
          `The plugin did not load: ${this.plugins.registry.problems.find((p) => p.includes(pluginFolderName(key))) ?? 'see the service log'}`,
        ],
      });
    }
    await this.activity.record(this.db.manager, actor, {
      operation: existing ? 'replace' : 'upload',
      objectType: 'provider_plugin',
      objectId: key,
      objectRepr: manifest.display_name,
      organizationId: null,
      changes: { version: [null, manifest.version] },
    });
    return { ...this.toDto(loaded, 0), dependencies: loaded.dependencies };
  }

  private async providerCounts(actor: Actor): Promise<Map<string, number>> {
    const scope = await this.access.scope(actor, 'provider.view');
    const rows = await this.db.query<{ key: string; n: number }[]>(
      `SELECT vendor || ':' || provider_type AS key, count(*)::int AS n FROM providers
       WHERE $1 OR organization_id = ANY($2::int[]) OR id = ANY($3::uuid[]) GROUP BY 1`,
      [scope.all, scope.organizations, scope.providers],
    );
    return new Map(rows.map((r) => [r.key, r.n]));
  }

  private toDto(p: RegisteredPlugin, providerCount: number): PluginDto {
    const m = p.plugin.manifest;
    return {
      key: p.key,
      vendor: m.vendor,
      provider_type: m.provider_type,
      version: m.version,
      display_name: m.display_name,
      description: m.description,
      infrastructure: m.infrastructure,
      supported_resource_types: m.supported_resource_types,
      connection_parameters: m.connection_parameters,
      requires_endpoint: m.requires_endpoint ?? false,
      source: p.source,
      origin: p.source === 'builtin' ? 'built-in' : p.origin,
      provider_count: providerCount,
    };
  }
}
