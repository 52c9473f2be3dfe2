import type { ChildProcess } from 'node:child_process';

/** A whole-number environment variable of at least `min` (underscores allowed: 100_000), or `fallback`. */
export function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name]?.trim().replace(/_/g, '');
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new Error(`${name} must be a whole number >= ${min} (got "${process.env[name]}")`);
  }
  return Number(raw);
}

/** Waits (up to a minute) until the service started as `server` answers /ping/ at `root`. */
export async function waitForServer(root: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`the service exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${root}/api/inventory/v1/ping/`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the service did not start');
}
