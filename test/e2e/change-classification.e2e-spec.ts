import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeartbeatsService } from '../../src/facts/heartbeats.service.js';
import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, ScriptedPlugin } from '../support/collection.js';
import { createSystem } from '../support/facts.js';

/**
 * One rule set classifies every change, whichever path found it: a collected (pulled)
 * resource, a pushed host, a heartbeat. The same field gets the same category and
 * severity by pull and by push, and a CHANGE_RULES_FILE rule reaches all three.
 */
describe('change classification: one rule set for pull, push and heartbeat', () => {
  const classified = async (t: TestApp, resource: string, source: string, path: string) => {
    const res = await http(`${t.api}/resources/${resource}/changes/?source=${source}&ordering=-detected_at`);
    expect(res.status).toBe(200);
    return res.body.results
      .filter((c: any) => c.field_path === path)
      .map((c: any) => ({
        change_type: c.change_type,
        previous_value: c.previous_value,
        current_value: c.current_value,
        category: c.category,
        severity: c.severity,
      }));
  };

  /** Changes a field by each path: fqdn (pulled and pushed), a property, and the system's status. */
  async function changeEverywhere(t: TestApp, plugin: ScriptedPlugin) {
    const provider = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: `scripted-${randomUUID().slice(0, 6)}`,
        vendor: 'test',
        provider_type: plugin.manifest.provider_type,
        infrastructure: 'private_cloud',
        organization: 1,
      },
    });
    expect(provider.status).toBe(201);
    plugin.resources = [{ ems_ref: 'vm-1', fqdn: 'vm1.old.example', properties: { owner: 'alice' } }];
    expect((await collectAndWait(t, provider.body.id)).status).toBe('completed');
    plugin.resources = [{ ems_ref: 'vm-1', fqdn: 'vm1.new.example', properties: { owner: 'bob' } }];
    expect((await collectAndWait(t, provider.body.id)).status).toBe('completed');
    const pulled = (await t.pool.query(`SELECT id FROM resources WHERE provider_id = $1`, [provider.body.id]))
      .rows[0].id as string;

    const system = await createSystem(t, 1, `host-${randomUUID().slice(0, 6)}`);
    const push = async (fqdn: string) => {
      const res = await http(`${t.api}/facts/`, {
        method: 'POST',
        headers: { authorization: system.basic },
        json: { system_facts: { hostname: 'web01', fqdn, product_uuid: randomUUIDFor(system.id) } },
      });
      expect(res.status).toBe(201);
      return res.body.resource as string;
    };
    const pushed = await push('web01.old.example');
    await push('web01.new.example');

    await t.pool.query(`UPDATE systems SET last_heartbeat_at = now() - interval '1 day' WHERE id = $1`, [
      system.id,
    ]);
    expect(await t.app.get(HeartbeatsService).markSilentSystemsInactive()).toBe(1);
    return { pulled, pushed };
  }

  const randomUUIDFor = (seed: string) => `4211b0c2-${seed.slice(9, 13)}-9a3f-1c2d-3e4f5a6b7c8d`;

  describe('the built-in rules', () => {
    let t: TestApp;
    const plugin = new ScriptedPlugin('classified');
    beforeAll(async () => {
      t = await startTestApp();
      t.app.get(PluginsService).register(plugin);
    });
    afterAll(async () => {
      await t.close();
    });

    it('classify the same field alike by pull and by push, and heartbeats by the same rules', async () => {
      const { pulled, pushed } = await changeEverywhere(t, plugin);
      const byPull = await classified(t, pulled, 'collection_run', 'fqdn');
      const byPush = await classified(t, pushed, 'fact_snapshot', 'fqdn');
      expect(byPull).toEqual([
        {
          change_type: 'modified',
          previous_value: 'vm1.old.example',
          current_value: 'vm1.new.example',
          category: 'identity',
          severity: 'high',
        },
      ]);
      expect(byPush).toEqual([
        {
          change_type: 'modified',
          previous_value: 'web01.old.example',
          current_value: 'web01.new.example',
          category: 'identity',
          severity: 'high',
        },
      ]);
      expect(await classified(t, pulled, 'collection_run', 'properties.owner')).toEqual([
        expect.objectContaining({ category: 'configuration', severity: 'info' }),
      ]);
      // unknown → active (first push) is info, active → inactive (silent) is high.
      expect(await classified(t, pushed, 'heartbeat', 'system.status')).toEqual([
        expect.objectContaining({ previous_value: 'active', current_value: 'inactive', severity: 'high' }),
        expect.objectContaining({ previous_value: 'unknown', current_value: 'active', severity: 'info' }),
      ]);
    });
  });

  describe('a CHANGE_RULES_FILE', () => {
    let t: TestApp;
    const plugin = new ScriptedPlugin('reclassified');
    beforeAll(async () => {
      const file = join(tmpdir(), `change-rules-${process.pid}-${Date.now()}.yaml`);
      writeFileSync(
        file,
        [
          '- {match: fqdn, category: network, severity: critical}',
          '- {match: properties.owner, category: configuration, severity: high}',
          '- {match: system.status, to: [inactive], category: availability, severity: critical}',
        ].join('\n'),
      );
      t = await startTestApp({ CHANGE_RULES_FILE: file });
      t.app.get(PluginsService).register(plugin);
    });
    afterAll(async () => {
      await t.close();
    });

    it('changes the classification of pulled, pushed and heartbeat changes alike', async () => {
      const { pulled, pushed } = await changeEverywhere(t, plugin);
      expect(await classified(t, pulled, 'collection_run', 'fqdn')).toEqual([
        expect.objectContaining({ category: 'network', severity: 'critical' }),
      ]);
      expect(await classified(t, pulled, 'collection_run', 'properties.owner')).toEqual([
        expect.objectContaining({ category: 'configuration', severity: 'high' }),
      ]);
      expect(await classified(t, pushed, 'fact_snapshot', 'fqdn')).toEqual([
        expect.objectContaining({ category: 'network', severity: 'critical' }),
      ]);
      expect(await classified(t, pushed, 'heartbeat', 'system.status')).toEqual([
        expect.objectContaining({ current_value: 'inactive', severity: 'critical' }),
        expect.objectContaining({ current_value: 'active', severity: 'info' }),
      ]);
    });
  });
});
