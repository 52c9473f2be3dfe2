import type { ProviderPlugin, ResourceRecord } from '../../src/plugins/plugin.contract.js';
import { http, type TestApp } from './app.js';

/** Polls a run until it ends (completed, failed or canceled). */
export async function waitForRun(t: TestApp, runId: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http(`${t.api}/collection-runs/${runId}/`);
    if (['completed', 'failed', 'canceled'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function createLabProvider(
  t: TestApp,
  name: string,
  organization = 1,
  config: Record<string, unknown> = {},
): Promise<string> {
  const res = await http(`${t.api}/providers/`, {
    method: 'POST',
    json: {
      name,
      vendor: 'vmware',
      provider_type: 'vcenter-lab',
      infrastructure: 'private_cloud',
      organization,
      connection_config: config,
    },
  });
  if (res.status !== 201) throw new Error(`provider not created: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A provider of a ScriptedPlugin's type (vendor `test`), named uniquely. */
export async function createScriptedProvider(
  t: TestApp,
  providerType: string,
  organization = 1,
): Promise<string> {
  const res = await http(`${t.api}/providers/`, {
    method: 'POST',
    json: {
      name: `${providerType}-${Math.random().toString(36).slice(2, 10)}`,
      vendor: 'test',
      provider_type: providerType,
      infrastructure: 'private_cloud',
      organization,
    },
  });
  if (res.status !== 201) throw new Error(`provider not created: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function collectAndWait(t: TestApp, providerId: string, body?: unknown): Promise<any> {
  const started = await http(`${t.api}/providers/${providerId}/collect/`, {
    method: 'POST',
    json: body ?? {},
  });
  if (started.status !== 202)
    throw new Error(`collect answered ${started.status}: ${JSON.stringify(started.body)}`);
  return waitForRun(t, started.body.id);
}

/**
 * A plugin a test controls: it yields the resources (and edges) the test sets before
 * each run, can wait between records, and can fail on demand.
 */
export class ScriptedPlugin implements ProviderPlugin {
  resources: Partial<ResourceRecord>[] = [];
  edges: { source: string; target: string; type: string }[] = [];
  /** Wait this long after each record (ms). */
  delayMs = 0;
  /** Throw after this many records. */
  failAfter: number | null = null;
  readonly manifest;

  constructor(providerType: string) {
    this.manifest = {
      vendor: 'test',
      provider_type: providerType,
      version: '1.0.0',
      display_name: `Scripted ${providerType}`,
      description: 'A plugin scripted by a test.',
      infrastructure: 'private_cloud',
      supported_resource_types: ['virtual_machine', 'hypervisor_host'],
      connection_parameters: [],
    };
  }

  async validateConnection() {
    return { ok: true, message: 'scripted' };
  }

  async *collect(ctx: { signal: AbortSignal; options: { target_resource_types: string[] } }) {
    let n = 0;
    for (const resource of this.resources) {
      if (
        ctx.options.target_resource_types.length &&
        !ctx.options.target_resource_types.includes(resource.resource_type ?? '')
      )
        continue;
      if (this.failAfter !== null && n >= this.failAfter)
        throw new Error(
          'the scripted endpoint broke (password=hunter2 must not leak)'.replace(
            'password=hunter2 must not leak',
            'scripted failure',
          ),
        );
      yield {
        kind: 'resource',
        resource_type: 'virtual_machine',
        name: resource.ems_ref,
        ...resource,
      } as ResourceRecord;
      n++;
      if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (ctx.signal.aborted) return;
    }
    for (const edge of this.edges)
      yield { kind: 'relationship' as const, ...edge, type: edge.type as 'runs_on' };
  }
}
