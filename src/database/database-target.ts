import type { InventoryConfig } from '../config/config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** The database the process will use, and how to let go of it. */
export interface DatabaseTarget {
  url: string;
  /** For logs: never includes the password. */
  description: string;
  embedded: boolean;
  close(): Promise<void>;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

/** DATABASE_URL when set; otherwise the embedded cluster in the data folder (started, or attached to). */
export async function openDatabase(
  config: InventoryConfig,
  log: (message: string) => void,
  /** The embedded cluster stopping (see EmbeddedOptions.notice); default `log`. */
  notice: (message: string) => void = log,
): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    return {
      url: config.databaseUrl,
      description: redactUrl(config.databaseUrl),
      embedded: false,
      close: async () => undefined,
    };
  }
  const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, log, notice });
  return {
    url: cluster.url,
    description: `embedded PostgreSQL at 127.0.0.1:${cluster.port} (data in ${config.dataDir}/postgres${cluster.owned ? '' : ', shared with the running service'})`,
    embedded: true,
    close: () => cluster.stop(),
  };
}
