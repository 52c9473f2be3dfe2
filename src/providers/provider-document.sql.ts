import type { Queryable } from '../common/list/list-runner.js';
import type { ProviderDocument } from '../plugins/plugin.contract.js';

/** The document stored with a provider, for its plugin's run (read only when the plugin asks). */
export async function readProviderDocument(
  db: Queryable,
  providerId: string,
): Promise<ProviderDocument | null> {
  const rows = await db.query<{ filename: string; content_type: string; content: Buffer }[]>(
    `SELECT filename, content_type, content FROM provider_documents WHERE provider_id = $1`,
    [providerId],
  );
  return rows[0] ?? null;
}
