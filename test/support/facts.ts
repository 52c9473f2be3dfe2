import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, type TestApp } from './app.js';

/**
 * A real capture of `ansible localhost -m setup` (as `ansible_facts`, i.e. without the
 * ansible_ prefix, env removed) and `-m package_facts` of a Debian 12 container.
 */
export function loadDebianFacts(): {
  system_facts: Record<string, any>;
  package_facts: { packages: Record<string, any[]> };
} {
  return JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/ansible-debian12-facts.json'), 'utf8'));
}

export interface TestSystem {
  id: string;
  system_key: string;
  secret: string;
  /** `Authorization` header value with the system's credentials. */
  basic: string;
}

export async function createSystem(t: TestApp, organization: number, name: string): Promise<TestSystem> {
  const res = await http(`${t.api}/systems/`, { method: 'POST', json: { name, organization } });
  if (res.status !== 201) throw new Error(`system create: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.id,
    system_key: res.body.system_key,
    secret: res.body.secret,
    basic: `Basic ${Buffer.from(`${res.body.system_key}:${res.body.secret}`).toString('base64')}`,
  };
}

export const clone = <T>(value: T): T => structuredClone(value);
