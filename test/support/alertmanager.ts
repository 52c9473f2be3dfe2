import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Prometheus Alertmanager (`apt-get install prometheus-alertmanager`; `.ci/run` installs it). */
export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';
export const hasAlertmanager = existsSync(ALERTMANAGER_BINARY);

export interface RunningAlertmanager {
  /** e.g. http://127.0.0.1:41234 (ALERTMANAGER_URL). */
  url: string;
  stop(): Promise<void>;
}

/** A port nothing listens on now (for a server started next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real Alertmanager on a free local port with a temporary configuration and storage,
 * clustering off. `webhookUrl`: its one receiver posts every notification there
 * (group_wait 0 s, so tests see notifications at once); else a receiver that drops them.
 */
export async function startAlertmanager(
  options: { webhookUrl?: string; bearerToken?: string; port?: number } = {},
): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'alertmanager-'));
  const port = options.port ?? (await freePort());
  const receiver = options.webhookUrl
    ? `  - name: inventory
    webhook_configs:
      - url: ${JSON.stringify(options.webhookUrl)}
        send_resolved: true
${options.bearerToken ? `        http_config:\n          authorization:\n            credentials: ${JSON.stringify(options.bearerToken)}\n` : ''}`
    : `  - name: inventory\n`;
  await writeFile(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: inventory
  group_by: ['alertname', 'system_key']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
${receiver}`,
  );
  const child: ChildProcess = spawn(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited: ${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Alertmanager did not become ready: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
