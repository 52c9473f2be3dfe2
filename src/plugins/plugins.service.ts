import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { DATABASE_URL } from '../common/tokens.js';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import type { ProviderPlugin } from './plugin.contract.js';
import { PluginRegistry } from './plugin-registry.js';
import { syncUploadedPlugins, uploadedPluginsFolder } from './plugin-uploads.js';

const CHANNEL = 'inventory_plugins';

/** The plugin key of the organizations' push providers: pushes fill them; no plugin collects them. */
export const PUSH_PROVIDER_PLUGIN = 'ansible:facts';

/**
 * Owns this process's plugin registry: discovers at start, and again whenever any
 * process announces a change (refresh or upload) on a PostgreSQL NOTIFY channel, so
 * every API replica and worker sees the same plugins without a restart.
 */
@Injectable()
export class PluginsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Plugins');
  readonly registry: PluginRegistry;
  private listener: pg.Client | null = null;
  /** Sent with this process's announcements, so that it does not re-discover on its own. */
  private readonly processId = randomUUID();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(INVENTORY_CONFIG) private readonly config: InventoryConfig,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
  ) {
    this.registry = new PluginRegistry([config.pluginsDir, uploadedPluginsFolder(config.dataDir)]);
  }

  async onModuleInit(): Promise<void> {
    await this.discover();
    if (!this.db.isInitialized) return;
    try {
      this.listener = new pg.Client({
        connectionString: this.databaseUrl,
        application_name: 'inventory-plugins',
      });
      this.listener.on('error', (error) => this.logger.warn(`Plugin change listener lost: ${error.message}`));
      this.listener.on('notification', (message) => {
        // This process discovered already (refreshEverywhere), before announcing it.
        if (message.payload === this.processId) return;
        this.discover().catch((error: Error) =>
          this.logger.error(`Plugin re-discovery failed: ${error.message}`),
        );
      });
      await this.listener.connect();
      await this.listener.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      this.logger.warn(`Cannot listen for plugin changes: ${(error as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
  }

  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;

  /**
   * Re-discovers in this process (uploaded archives first extracted from the database).
   * One discovery at a time (each reads every package.json under node_modules): calls
   * made while one runs share the single next run, which starts after it and so sees
   * whatever changed before they were made.
   */
  discover(): Promise<number> {
    if (this.running)
      return (this.queued ??= this.running
        .catch(() => 0)
        .then(() => {
          this.queued = null;
          return this.discover();
        }));
    this.running = this.discoverNow().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async discoverNow(): Promise<number> {
    if (this.db.isInitialized) await syncUploadedPlugins(this.db, uploadedPluginsFolder(this.config.dataDir));
    return this.registry.discover();
  }

  /** Re-discovers here and tells every other process to do the same. */
  async refreshEverywhere(): Promise<number> {
    const count = await this.discover();
    await this.db.query(`SELECT pg_notify($1, $2)`, [CHANNEL, this.processId]);
    return count;
  }

  /**
   * Why a provider of `vendor:providerType` cannot be collected or scheduled here, or null
   * when its plugin is installed. A run of it could only fail on the worker.
   */
  whyNotCollectable(vendor: string, providerType: string): string | null {
    const key = `${vendor}:${providerType}`;
    if (key === PUSH_PROVIDER_PLUGIN)
      return "This is the organization's push provider: pushes fill it (POST /facts/, /v1/facts, the collector agents' /api/systems/inventory); there is nothing to collect.";
    if (!this.registry.get(key)) return `No plugin "${key}" is installed; see /provider-plugins/.`;
    return null;
  }

  register(plugin: ProviderPlugin): void {
    this.registry.register(plugin);
  }
}
