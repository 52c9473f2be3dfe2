import { PluginsService } from '../../src/plugins/plugins.service.js';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait, createScriptedProvider, ScriptedPlugin } from '../support/collection.js';
import { seedLab } from '../support/lab.js';

/**
 * Reading the inventory as it was: GET /resources/{id}/?as_of=, /resources/{id}/diff/ and
 * /resources/?present_at=, rebuilt from the change rows. On the seeded VMware lab (eight
 * runs over the past week, with VMs stopped and resized on some days) each answer is
 * checked against what the lab's sightings recorded at the time, which are written
 * independently of the change rows; removal and restoration with a scripted provider.
 */

interface Sighting {
  seen_at: string;
  state: string;
  power_state: string | null;
  cpu_count: number | null;
  memory_mb: number | null;
}
const FIELDS = ['state', 'power_state', 'cpu_count', 'memory_mb'] as const;
const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms).toISOString();
const query = (iso: string) => encodeURIComponent(iso);

describe('the inventory as it was', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe("on the VMware lab's week of history", () => {
    let vms: Record<string, any>[];
    const sightings = new Map<string, Sighting[]>();
    beforeAll(async () => {
      await seedLab(t);
      vms = (await http(`${t.api}/resources/?resource_type=virtual_machine&page_size=100`)).body.results;
      expect(vms).toHaveLength(14);
      for (const vm of vms) {
        const res = await http(`${t.api}/resources/${vm.id}/sightings/?page_size=100&ordering=seen_at`);
        expect(res.status).toBe(200);
        sightings.set(vm.id, res.body.results);
      }
    });

    it('shows each VM at every past run as that run saw it, and 404 before it was discovered', async () => {
      let drifted = 0;
      for (const vm of vms) {
        const seen = sightings.get(vm.id)!;
        expect(seen).toHaveLength(8);
        for (const sighting of seen) {
          const at = plus(sighting.seen_at, HOUR);
          const res = await http(`${t.api}/resources/${vm.id}/?as_of=${query(at)}`);
          expect(res.status).toBe(200);
          expect(res.body.as_of).toBe(at);
          expect(res.body.last_seen_at).toBe(sighting.seen_at);
          for (const field of FIELDS) expect([field, res.body[field]]).toEqual([field, sighting[field]]);
          if (FIELDS.some((field) => sighting[field] !== vm[field])) drifted++;
        }
      }
      // The lab does drift over its week: the check above compared real history.
      expect(drifted).toBeGreaterThan(0);

      const before = await http(
        `${t.api}/resources/${vms[0].id}/?as_of=${query(plus(vms[0].first_discovered_at, -60_000))}`,
      );
      expect(before.status).toBe(404);
      expect(before.body.detail).toMatch(/did not exist at .*first discovered at/);
    });

    it('diffs two times: exactly the fields whose values differ, with category and severity', async () => {
      for (const vm of vms) {
        const [first] = sightings.get(vm.id)!;
        const from = plus(first.seen_at, HOUR);
        const res = await http(`${t.api}/resources/${vm.id}/diff/?from=${query(from)}`);
        expect(res.status).toBe(200);
        expect(res.body.from).toBe(from);
        const differences = res.body.differences as Record<string, any>[];
        const expected = [...FIELDS]
          .sort()
          .filter((field) => first[field] !== vm[field])
          .map((field) => ({
            field_path: field,
            from_value: first[field],
            to_value: vm[field],
          }));
        expect(
          differences
            .filter((d) => (FIELDS as readonly string[]).includes(d.field_path))
            .map(({ field_path, from_value, to_value }) => ({ field_path, from_value, to_value })),
        ).toEqual(expected);
        for (const d of differences) {
          expect(d.from_value).not.toEqual(d.to_value);
          expect(d.category).toEqual(expect.any(String));
          expect(d.severity).toMatch(/^(info|low|medium|high|critical)$/);
          expect(d.changes).toBeGreaterThan(0);
        }
      }
      // A window with no run in it has no differences.
      const [first] = sightings.get(vms[0].id)!;
      const quiet = await http(
        `${t.api}/resources/${vms[0].id}/diff/?from=${query(plus(first.seen_at, HOUR))}&to=${query(plus(first.seen_at, 2 * HOUR))}`,
      );
      expect(quiet.body.differences).toEqual([]);
    });

    it('lists what existed at a time, combined with the other filters', async () => {
      const [first] = sightings.get(vms[0].id)!;
      const count = async (params: string) => {
        const res = await http(`${t.api}/resources/?${params}`);
        expect(res.status).toBe(200);
        return res.body.count as number;
      };
      expect(await count(`present_at=${query(plus(first.seen_at, -60_000))}`)).toBe(0);
      expect(await count(`present_at=${query(plus(first.seen_at, HOUR))}`)).toBe(27);
      expect(
        await count(`present_at=${query(plus(first.seen_at, HOUR))}&resource_type=virtual_machine`),
      ).toBe(14);
      expect(await count(`present_at=${query(new Date().toISOString())}`)).toBe(27);
    });

    it('answers malformed times with 400', async () => {
      const id = vms[0].id;
      for (const url of [
        `/resources/${id}/?as_of=yesterday`,
        `/resources/${id}/?as_of=2026-01-01&as_of=2026-01-02`,
        `/resources/${id}/diff/`,
        `/resources/${id}/diff/?from=2026-13-01`,
        `/resources/${id}/diff/?from=2026-02-01&to=2026-01-01`,
        `/resources/${id}/diff/?from=2026-01-01&since=2026-01-01`,
        `/resources/?present_at=noon`,
      ]) {
        const res = await http(`${t.api}${url}`);
        expect([url, res.status]).toEqual([url, 400]);
        expect(res.body).toBeDefined();
      }
    });
  });

  it('knows a resource was gone between its removal and its restoration', async () => {
    const scripted = new ScriptedPlugin('as-of');
    t.app.get(PluginsService).register(scripted);
    const provider = await createScriptedProvider(t, 'as-of');
    const collect = async (refs: string[]) => {
      scripted.resources = refs.map((ref) => ({ ems_ref: ref, name: ref, state: 'running' as const }));
      expect((await collectAndWait(t, provider)).status).toBe('completed');
      await new Promise((resolve) => setTimeout(resolve, 20));
      return new Date().toISOString();
    };
    const afterFirst = await collect(['a', 'b', 'c']);
    const whileGone = await collect(['a', 'c']);
    const afterReturn = await collect(['a', 'b', 'c']);

    const present = async (at: string) =>
      (
        await http(`${t.api}/resources/?provider=${provider}&present_at=${query(at)}&ordering=name`)
      ).body.results.map((r: { name: string }) => r.name);
    expect(await present(afterFirst)).toEqual(['a', 'b', 'c']);
    expect(await present(whileGone)).toEqual(['a', 'c']);
    expect(await present(afterReturn)).toEqual(['a', 'b', 'c']);

    const [b] = (await http(`${t.api}/resources/?provider=${provider}&name=b`)).body.results;
    expect((await http(`${t.api}/resources/${b.id}/?as_of=${query(afterFirst)}`)).status).toBe(200);
    const gone = await http(`${t.api}/resources/${b.id}/?as_of=${query(whileGone)}`);
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toMatch(/had been removed at/);
    const back = await http(`${t.api}/resources/${b.id}/?as_of=${query(afterReturn)}`);
    expect(back.status).toBe(200);
    expect(back.body.removed_at).toBeNull();

    const diff = await http(
      `${t.api}/resources/${b.id}/diff/?from=${query(afterFirst)}&to=${query(whileGone)}`,
    );
    expect(diff.body.differences).toEqual([
      expect.objectContaining({ field_path: 'removed_at', from_value: null, to_value: expect.any(String) }),
    ]);
    // Removed and restored within the window: no difference left.
    const roundTrip = await http(
      `${t.api}/resources/${b.id}/diff/?from=${query(afterFirst)}&to=${query(afterReturn)}`,
    );
    expect(roundTrip.body.differences).toEqual([]);
  });
});
