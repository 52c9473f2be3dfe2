import { createServer, type Server } from 'node:http';
import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';

/**
 * file:import: a CSV uploaded to the provider, a JSON document fetched from a URL (a local
 * HTTP server standing in for a CMDB's export endpoint) and YAML; bad rows rejected with
 * their line and counted, the rest collected; removal only after a successful full run.
 */
describe('file:import collector', () => {
  let t: TestApp;
  let server: Server;
  let cmdbUrl: string;
  const cmdb = { status: 200, body: '', authorizations: [] as string[] };
  beforeAll(async () => {
    t = await startTestApp();
    server = createServer((req, res) => {
      cmdb.authorizations.push(String(req.headers.authorization ?? ''));
      res.writeHead(cmdb.status, { 'content-type': 'application/json' }).end(cmdb.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cmdbUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/now/export/servers.json?token=abc`;
  });
  afterAll(async () => {
    await t.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const provider = async (name: string, config: Record<string, unknown> = {}, endpoint = '') => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'file',
        provider_type: 'import',
        infrastructure: 'bare_metal',
        organization: 1,
        endpoint,
        connection_config: config,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const upload = (id: string, filename: string, content: string, type = 'text/csv') => {
    const form = new FormData();
    form.append('file', new Blob([content], { type }), filename);
    return http(`${t.api}/providers/${id}/document/`, { method: 'PUT', body: form });
  };
  const resources = async (id: string) =>
    (await http(`${t.api}/resources/?provider=${id}&page_size=100`)).body.results as any[];

  const CSV = [
    'ems_ref,name,resource_type,vendor_type,vendor,canonical_id,state,cpu_count,memory_mb,ip_addresses,properties.rack,tags.env',
    'srv-01,db-bare-01,physical_server,,,4C4C4544-0042-3510-8052-B4C04F4D4E31,running,64,524288,10.9.0.11;10.9.1.11,R12,prod',
    'srv-02,db-bare-02,,PowerEdge Server,dell,,running,32,262144,10.9.0.12,R12,prod',
    'srv-03,"app, the third",,PowerEdge Server,,,stopped,16,,10.9.0.13,"R""13",dev',
    'srv-04,bad-cpu,physical_server,,,,running,four,,,,',
    'srv-05,,physical_server,,,,running,8,,,,',
    'sw-01,tor-switch-12,switch,,,,running,,,10.9.255.1,R12,prod',
    '',
    'source,target,type',
    'srv-01,sw-01,connected_to',
    'srv-02,sw-01,connected_to',
    'srv-03,sw-01,plugged_into',
  ].join('\r\n');

  it('collects the good rows of an uploaded CSV and rejects the bad ones with their line', async () => {
    const id = await provider('cmdb csv', { default_vendor: 'dell' });
    const stored = await upload(id, 'cmdb-export.csv', CSV);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      provider: id,
      filename: 'cmdb-export.csv',
      content_type: 'text/csv',
    });
    expect((await http(`${t.api}/providers/${id}/document/`)).body.sha256).toBe(stored.body.sha256);
    const run = await collectAndWait(t, id);
    expect(run).toMatchObject({ status: 'completed', resources_found: 4, resources_rejected: 3 });
    expect(run.warnings).toEqual([
      'line 5: cpu_count "four" is not a whole number',
      'line 6: name is required',
      'line 12: type "plugged_into" is not one of runs_on, attached_to, member_of, part_of, manages, connected_to, routes_to',
    ]);
    const byRef = Object.fromEntries((await resources(id)).map((r) => [r.ems_ref, r]));
    expect(byRef['srv-01']).toMatchObject({
      name: 'db-bare-01',
      resource_type_slug: 'physical_server',
      canonical_id: '4C4C4544-0042-3510-8052-B4C04F4D4E31',
      cpu_count: 64,
      memory_mb: 524288,
      ip_addresses: ['10.9.0.11', '10.9.1.11'],
      properties: { rack: 'R12' },
      provider_tags: { env: 'prod' },
    });
    expect(byRef['srv-02']).toMatchObject({
      resource_type_slug: 'physical_server',
      vendor_type: 'PowerEdge Server',
    });
    expect(byRef['srv-03']).toMatchObject({
      name: 'app, the third',
      state: 'stopped',
      properties: { rack: 'R"13' },
    });
    expect(byRef['sw-01'].resource_type_slug).toBe('switch');
    const edges = (await http(`${t.api}/resource-relationships/?provider=${id}`)).body.results as any[];
    expect(edges.map((e) => `${e.source_name} ${e.relationship_type} ${e.target_name}`).sort()).toEqual([
      'db-bare-01 connected_to tor-switch-12',
      'db-bare-02 connected_to tor-switch-12',
    ]);

    // The next export lacks a row: a successful full run marks it removed.
    await upload(
      id,
      'cmdb-export.csv',
      CSV.replace(/\r\nsw-01,[^\r]*/, '').replace(/\r\nsrv-0[12],sw-01,connected_to/g, ''),
    );
    const second = await collectAndWait(t, id);
    expect(second).toMatchObject({ status: 'completed', resources_removed: 1 });
    expect((await resources(id)).find((r) => r.ems_ref === 'sw-01').removed_at).not.toBeNull();
  });

  it('fails on a document it cannot read as a whole, and removes nothing', async () => {
    const id = await provider('cmdb yaml');
    await upload(
      id,
      'servers.yaml',
      'resources:\n  - {ems_ref: s1, name: one, resource_type: bare_metal}\n',
      'application/yaml',
    );
    expect(await collectAndWait(t, id)).toMatchObject({ status: 'completed', resources_found: 1 });
    await upload(
      id,
      'servers.yaml',
      'resources:\n  - {ems_ref: s1, name: one, resource_type: bare_metal, colour: red}\n',
    );
    const bad = await collectAndWait(t, id);
    expect(bad.status).toBe('failed');
    expect(bad.error_message).toMatch(/^Unknown column "colour": use ems_ref, name, /);
    expect(bad.resources_removed).toBe(0);
    await upload(id, 'servers.yaml', 'resources: [ {ems_ref: s1\n');
    expect((await collectAndWait(t, id)).error_message).toMatch(/^The document is not valid YAML/);
    expect((await resources(id))[0].removed_at).toBeNull();
    expect((await http(`${t.api}/providers/${id}/document/`, { method: 'DELETE' })).status).toBe(204);
    expect((await http(`${t.api}/providers/${id}/document/`)).status).toBe(404);
    expect((await collectAndWait(t, id)).error_message).toMatch(/^No document: upload one/);
  });

  it('reads JSON from a URL with its authorization header, and says what the URL answered', async () => {
    cmdb.body = JSON.stringify({
      resources: [
        {
          ems_ref: 'n1',
          name: 'edge-01',
          vendor: 'dell',
          vendor_type: 'PowerEdge Server',
          tags: { site: 'ams' },
          disk_gb: 480,
        },
        { ems_ref: 'n2', name: 'edge-02', resource_type: 'bare_metal', ip_addresses: ['10.1.1.2'] },
        { ems_ref: 'n3', resource_type: 'bare_metal' },
      ],
      relationships: [{ source: 'n2', target: 'n1', type: 'connected_to' }],
    });
    const id = await provider(
      'cmdb url',
      { authorization: 'Bearer cmdb-secret-1', allow_http: true },
      cmdbUrl,
    );
    const run = await collectAndWait(t, id);
    expect(run).toMatchObject({ status: 'completed', resources_found: 2, resources_rejected: 1 });
    expect(run.warnings).toEqual(['resources[2]: name is required']);
    expect(cmdb.authorizations.at(-1)).toBe('Bearer cmdb-secret-1');
    const byRef = Object.fromEntries((await resources(id)).map((r) => [r.ems_ref, r]));
    expect(byRef.n1).toMatchObject({
      resource_type_slug: 'physical_server',
      disk_gb: 480,
      provider_tags: { site: 'ams' },
    });
    cmdb.status = 401;
    try {
      const failed = await collectAndWait(t, id);
      expect(failed.status).toBe('failed');
      expect(failed.error_message).toBe(`${cmdbUrl.split('?')[0]} answered HTTP 401.`);
      expect(JSON.stringify(failed)).not.toContain('cmdb-secret-1');
      expect(JSON.stringify(failed)).not.toContain('token=abc');
    } finally {
      cmdb.status = 200;
    }
    const plain = await collectAndWait(t, await provider('cmdb plain http', {}, cmdbUrl));
    expect(plain.error_message).toBe('Refusing a plain http:// URL (set allow_http to allow it).');
  });

  it('refuses uploads that are not a file, and to those who may not change the provider', async () => {
    const id = await provider('cmdb refused');
    const notMultipart = await http(`${t.api}/providers/${id}/document/`, {
      method: 'PUT',
      json: { file: 'x' },
    });
    expect(notMultipart.status).toBe(400);
    expect(notMultipart.body.errors.file[0]).toMatch(/multipart\/form-data/);
    const viewer = await t.createUser('file-viewer');
    const denied = await (async () => {
      const form = new FormData();
      form.append('file', new Blob(['a,b']), 'x.csv');
      return http(`${t.api}/providers/${id}/document/`, { method: 'PUT', body: form, as: viewer.bearer });
    })();
    expect(denied.status).toBe(404); // not even visible to them
    expect((await http(`${t.api}/providers/00000000-0000-4000-8000-000000000000/document/`)).status).toBe(
      404,
    );
  });
});
