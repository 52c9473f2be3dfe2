import { http, startTestApp, type TestApp } from '../support/app.js';
import {
  createOrganization,
  createProvider,
  createResource,
  daysAgo,
  seedReadFixture,
} from '../support/factories.js';

describe('resources, sightings and history', () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof seedReadFixture>>;
  beforeAll(async () => {
    t = await startTestApp();
    f = await seedReadFixture(t.pool);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows type, category, provider and relationship counts in the detail', async () => {
    const res = await http(`${t.api}/resources/${f.resources.host1}/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'esxi01.lab.local',
      resource_type_slug: 'hypervisor_host',
      resource_type_name: 'Hypervisor Host',
      resource_category: 'compute',
      resource_category_name: 'Compute',
      provider: f.providers.vcenter,
      provider_name: 'Lab vCenter',
      provider_vendor: 'vmware',
      canonical_id: '4c4c4544-0042-3510-8052-b4c04f4d4e31',
      relationships: {
        outgoing: 1,
        incoming: 1,
        by_type: { part_of: { outgoing: 1, incoming: 0 }, runs_on: { outgoing: 0, incoming: 1 } },
      },
    });
    // A removed edge is not counted.
    const removedVm = await http(`${t.api}/resources/${f.resources.vms[4]}/`);
    expect(removedVm.body.relationships).toEqual({ outgoing: 0, incoming: 0, by_type: {} });
    expect(removedVm.body.removed_at).not.toBeNull();
  });

  it('finds the same machine seen by two providers with one canonical_id query', async () => {
    const other = await createProvider(t.pool, {
      organizationId: f.orgA,
      vendor: 'ansible',
      providerType: 'facts',
      infrastructure: 'bare_metal',
    });
    await createResource(t.pool, {
      providerId: other,
      organizationId: f.orgA,
      type: 'virtual_machine',
      vendorType: 'guest',
      name: 'rhel9-web01.lab.local',
      canonicalId: '502e71fa-1c2d-4b3e-9f8a-000000000101',
    });
    const res = await http(`${t.api}/resources/?canonical_id=502e71fa-1c2d-4b3e-9f8a-000000000101`);
    expect(res.body.count).toBe(2);
    expect(new Set(res.body.results.map((r: any) => r.provider))).toEqual(
      new Set([f.providers.vcenter, other]),
    );
    const bySearch = await http(`${t.api}/resources/?search=502e71fa`);
    expect(bySearch.body.count).toBeGreaterThanOrEqual(2);
  });

  it("lists a resource's sightings newest first, and 404s for an unknown resource", async () => {
    const res = await http(`${t.api}/resources/${f.resources.vms[0]}/sightings/`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(7);
    const seen = res.body.results.map((s: any) => s.seen_at);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(res.body.results.every((s: any) => s.resource === f.resources.vms[0])).toBe(true);
    const window = await http(
      `${t.api}/resources/${f.resources.vms[0]}/sightings/?seen_after=${daysAgo(4.5).toISOString()}&seen_before=${daysAgo(1.5).toISOString()}`,
    );
    expect(window.body.count).toBe(3);
    const missing = await http(`${t.api}/resources/00000000-0000-4000-8000-000000000000/sightings/`);
    expect(missing.status).toBe(404);
  });

  it('summarizes history over all sightings and returns a bounded, ascending timeline', async () => {
    const res = await http(`${t.api}/resources/${f.resources.vms[0]}/history/`);
    expect(res.status).toBe(200);
    expect(res.body.identity).toEqual({
      canonical_id: '502e71fa-1c2d-4b3e-9f8a-000000000101',
      vendor_identifiers: { moid: 'vm-101', bios_uuid: '502e71fa-1c2d-4b3e-9f8a-000000000101' },
      ems_ref: 'vm-101',
      name: 'rhel9-web01',
      provider: f.providers.vcenter,
    });
    expect(res.body.tracking.seen_count).toBe(8);
    expect(res.body.summary).toMatchObject({
      total_sightings: 7,
      states_observed: ['running', 'stopped'],
      cpu_count: { avg: 4, min: 4, max: 4 },
      // three days at 8192 then four at 16384
      memory_mb: { avg: Math.round(((3 * 8192 + 4 * 16384) / 7) * 100) / 100, min: 8192, max: 16384 },
      disk_gb: { avg: 100, min: 100, max: 100 },
    });
    const times = res.body.timeline.map((e: any) => e.seen_at);
    expect(times).toEqual([...times].sort());
    expect(res.body.timeline).toHaveLength(7);
    expect(res.body.timeline_truncated).toBe(false);
    expect(res.body.timeline[6].metrics).toEqual({ cpu_usage_mhz: 1060 });

    const limited = await http(`${t.api}/resources/${f.resources.vms[0]}/history/?timeline_limit=2`);
    expect(limited.body.timeline).toHaveLength(2);
    expect(limited.body.timeline_total).toBe(7);
    expect(limited.body.timeline_truncated).toBe(true);
    // The latest two, oldest first; the summary still covers everything.
    expect(limited.body.timeline.map((e: any) => e.seen_at)).toEqual(times.slice(-2));
    expect(limited.body.summary.total_sightings).toBe(7);

    const windowed = await http(
      `${t.api}/resources/${f.resources.vms[0]}/history/?seen_before=${daysAgo(3.5).toISOString()}`,
    );
    expect(windowed.body.timeline).toHaveLength(3);
  });

  it('answers history of a resource with no sightings with empty statistics', async () => {
    const res = await http(`${t.api}/resources/${f.resources.vpc}/history/`);
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({
      total_sightings: 0,
      states_observed: [],
      cpu_count: { avg: null, min: null, max: null },
    });
    expect(res.body.timeline).toEqual([]);
  });

  it('rejects malformed history parameters with 400 naming them', async () => {
    for (const [qs, param] of [
      ['timeline_limit=0', 'timeline_limit'],
      ['timeline_limit=10001', 'timeline_limit'],
      ['timeline_limit=ten', 'timeline_limit'],
      ['seen_after=yesterday', 'seen_after'],
      ['seen_before=2025-02-30', 'seen_before'],
      ['bogus=1', 'bogus'],
    ]) {
      const res = await http(`${t.api}/resources/${f.resources.vms[0]}/history/?${qs}`);
      expect({ qs, status: res.status, named: Object.keys(res.body.errors ?? {}) }).toEqual({
        qs,
        status: 400,
        named: [param],
      });
    }
    expect((await http(`${t.api}/resources/00000000-0000-4000-8000-000000000000/history/`)).status).toBe(404);
    expect((await http(`${t.api}/resources/12/history/`)).status).toBe(400);
  });

  it('accepts dates with a "+" offset even when the client forgot to URL-encode it', async () => {
    const when = daysAgo(2).toISOString().replace('Z', '+00:00');
    const raw = await http(`${t.api}/resource-sightings/?seen_after=${when}`);
    expect(raw.status).toBe(200);
    const encoded = await http(`${t.api}/resource-sightings/?seen_after=${encodeURIComponent(when)}`);
    expect(encoded.body.count).toBe(raw.body.count);
  });

  it('shows sighting and relationship details', async () => {
    const sightings = await http(`${t.api}/resource-sightings/?resource=${f.resources.ec2a}`);
    const sighting = await http(`${t.api}/resource-sightings/${sightings.body.results[0].id}/`);
    expect(sighting.body).toMatchObject({
      resource: f.resources.ec2a,
      resource_name: 'api-prod-1',
      collection_run: f.runs.failedRun,
    });
    const rel = await http(`${t.api}/resource-relationships/${f.relationships.vmOnHost}/`);
    expect(rel.body).toMatchObject({
      source: f.resources.vms[0],
      source_name: 'rhel9-web01',
      source_type: 'virtual_machine',
      target: f.resources.host1,
      target_type: 'hypervisor_host',
      relationship_type: 'runs_on',
      removed_at: null,
    });
    expect((await http(`${t.api}/resource-sightings/00000000-0000-4000-8000-000000000000/`)).status).toBe(
      404,
    );
    expect((await http(`${t.api}/resource-relationships/00000000-0000-4000-8000-000000000000/`)).status).toBe(
      404,
    );
  });

  it('shows collection run details', async () => {
    const res = await http(`${t.api}/collection-runs/${f.runs.failedRun}/`);
    expect(res.body).toMatchObject({
      status: 'failed',
      provider: f.providers.aws,
      provider_name: 'AWS production',
      triggered_by: 'schedule',
      error_message: 'Connection refused by ec2.us-east-1.amazonaws.com',
      duration_seconds: 3,
    });
    expect((await http(`${t.api}/collection-runs/00000000-0000-4000-8000-000000000000/`)).status).toBe(404);
  });

  it('keeps organizations apart in filters', async () => {
    const lonely = await createOrganization(t.pool);
    const res = await http(`${t.api}/resources/?organization=${lonely}`);
    expect(res.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });
});
