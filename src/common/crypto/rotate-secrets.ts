import type { DataSource } from 'typeorm';
import { CLI_ACTOR, recordActivity } from '../../platform/activity.service.js';
import { mapSealed, secretName } from '../../providers/connection-config.js';
import { providerSecrets, SecretBox, webhookSecrets } from './secret-box.js';

export interface RotationReport {
  /** Values sealed again under the current key. */
  rotated: number;
  /** Values that already were in the current format under the current key. */
  current: number;
  providers: number;
  webhooks: number;
}

/** A value that opens with none of the keys: the rotation stops and changes nothing. */
export class RotationError extends Error {}

/**
 * Seals every stored secret again under `box`'s current key, in the current format
 * (key id, bound to its owner and field): provider connection_config secrets (at any
 * depth, in lists too) and webhook signing secrets. The old values are opened with the
 * box's previous keys (or the current one). One transaction: a value no key opens
 * stops the whole rotation and nothing changes. `dryRun` opens everything, then rolls back.
 */
export async function rotateSecrets(
  db: DataSource,
  box: SecretBox,
  progress: (message: string) => void,
  options: { dryRun?: boolean } = {},
): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, current: 0, providers: 0, webhooks: 0 };
  const again = (sealed: string, open: () => unknown, seal: (value: unknown) => string, where: string) => {
    if (box.isCurrent(sealed)) {
      report.current++;
      return sealed;
    }
    let value: unknown;
    try {
      value = open();
    } catch (error) {
      throw new RotationError(
        `${where} opens with none of the keys (INVENTORY_SECRET_KEY, INVENTORY_SECRET_KEY_PREVIOUS): ${(error as Error).message}. Nothing was changed.`,
      );
    }
    report.rotated++;
    return seal(value);
  };
  const work = async (manager: DataSource['manager']) => {
    const providers = await manager.query<
      { id: string; name: string; connection_config: Record<string, unknown> }[]
    >(`SELECT id, name, connection_config FROM providers ORDER BY id FOR UPDATE`);
    progress(`providers: ${providers.length} to check`);
    for (const [index, provider] of providers.entries()) {
      const scoped = providerSecrets(box, provider.id);
      let changed = false;
      const next = mapSealed(provider.connection_config, (sealed, path) => {
        const name = secretName(path);
        const out = again(
          sealed,
          () => scoped.open(sealed, name),
          (value) => scoped.seal(value, name),
          `Provider "${provider.name}" (${provider.id}) ${path}`,
        );
        if (out !== sealed) changed = true;
        return out;
      });
      if (changed) {
        await manager.query(`UPDATE providers SET connection_config = $2 WHERE id = $1`, [
          provider.id,
          JSON.stringify(next),
        ]);
        report.providers++;
      }
      if ((index + 1) % 100 === 0 || index + 1 === providers.length)
        progress(`providers: ${index + 1}/${providers.length} checked, ${report.providers} re-encrypted`);
    }
    const webhooks = await manager.query<{ id: string; name: string; secret: string }[]>(
      `SELECT id, name, secret FROM webhooks ORDER BY id FOR UPDATE`,
    );
    progress(`webhooks: ${webhooks.length} to check`);
    for (const [index, webhook] of webhooks.entries()) {
      if (!SecretBox.isSealed(webhook.secret)) continue;
      const scoped = webhookSecrets(box, webhook.id);
      const out = again(
        webhook.secret,
        () => scoped.open(webhook.secret, 'secret'),
        (value) => scoped.seal(value, 'secret'),
        `Webhook "${webhook.name}" (${webhook.id}) secret`,
      );
      if (out !== webhook.secret) {
        await manager.query(`UPDATE webhooks SET secret = $2 WHERE id = $1`, [webhook.id, out]);
        report.webhooks++;
      }
      if ((index + 1) % 100 === 0 || index + 1 === webhooks.length)
        progress(`webhooks: ${index + 1}/${webhooks.length} checked, ${report.webhooks} re-encrypted`);
    }
    await recordActivity(manager, CLI_ACTOR, {
      operation: 'rotate_secrets',
      objectType: 'secret_key',
      objectId: box.keyId,
      objectRepr: `secret key ${box.keyId}`,
      organizationId: null,
      changes: {
        rotated: [null, report.rotated],
        providers: [null, report.providers],
        webhooks: [null, report.webhooks],
      },
    });
    if (options.dryRun) throw new DryRun();
  };
  try {
    await db.transaction((manager) => work(manager));
  } catch (error) {
    if (!(error instanceof DryRun)) throw error;
  }
  return report;
}

class DryRun extends Error {}
