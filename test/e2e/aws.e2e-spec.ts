import { http, startTestApp, type TestApp } from '../support/app.js';
import { collectAndWait } from '../support/collection.js';
import { FakeAws, fillAwsEstate } from '../support/fake-aws.js';

/**
 * The aws:aws collector (AWS SDK for JavaScript v3), against a local server answering
 * EC2, Auto Scaling, ELBv2, RDS and STS in their Query/XML protocols, S3 in REST/XML and
 * Lambda and EKS in REST/JSON, with SigV4 signatures checked (test/support/fake-aws.ts).
 */
describe('aws:aws collector', () => {
  let t: TestApp;
  const aws = new FakeAws();
  let endpoint: string;
  const UUID = '4203e1b1-0000-4000-8000-0000000000aa';
  beforeAll(async () => {
    t = await startTestApp();
    endpoint = await aws.start();
    fillAwsEstate(aws, {
      regions: ['us-east-1', 'eu-west-1'],
      instancesPerRegion: 3,
      smbiosUuid: (region, n) => (region === 'us-east-1' && n === 0 ? UUID.toUpperCase() : null),
    });
    const east = aws.region('us-east-1');
    east.instances.push({ ...east.instances[1], id: 'i-0000000000000dead', state: 'terminated', tags: {} });
    aws.buckets.push({
      name: 'elsewhere',
      region: 'ap-south-1',
      created: '2025-01-01T00:00:00.000Z',
      tags: {},
    });
    // Small pages, so every list is read through its pagination token.
    aws.maxPageSize = 2;
    aws.roles.set('arn:aws:iam::210987654321:role/inventory-reader', 'ext-1234');
  });
  afterAll(async () => {
    await t.close();
    await aws.stop();
  });

  const provider = async (name: string, config: Record<string, unknown> = {}) => {
    const res = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name,
        vendor: 'aws',
        provider_type: 'aws',
        infrastructure: 'public_cloud',
        organization: 1,
        connection_config: {
          access_key_id: aws.accessKeyId,
          secret_access_key: aws.secretAccessKey,
          region: 'us-east-1',
          regions: ['us-east-1', 'eu-west-1'],
          endpoint_url: endpoint,
          allow_http: true,
          timeout_seconds: 5,
          ...config,
        },
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const resources = async (id: string) =>
    (await http(`${t.api}/resources/?provider=${id}&page_size=200`)).body.results as any[];

  let mainProvider: string;

  it('collects every service of every region, paged, with tags and relationships', async () => {
    mainProvider = await provider('aws main');
    const calls = aws.calls.length;
    const run = await collectAndWait(t, mainProvider);
    expect(run).toMatchObject({ status: 'completed', resources_found: 32, resources_rejected: 0 });
    const byRef: Record<string, any> = Object.fromEntries(
      (await resources(mainProvider)).map((r) => [r.ems_ref, r]),
    );
    const counts: Record<string, number> = {};
    for (const r of Object.values(byRef))
      counts[r.resource_type_slug] = (counts[r.resource_type_slug] ?? 0) + 1;
    expect(counts).toEqual({
      virtual_machine: 6,
      block_storage: 6,
      vpc: 2,
      subnet: 4,
      security_group: 2,
      auto_scaling_group: 2,
      load_balancer: 2,
      relational_db: 2,
      serverless_function: 2,
      container_orchestration_platform: 2,
      object_storage: 2,
    });
    expect(byRef['i-0000000000000dead']).toBeUndefined(); // terminated
    const first = byRef['i-00000000000000001'];
    expect(first).toMatchObject({
      name: 'us-east-1-app-00001',
      vendor_type: 'AWS::EC2::Instance',
      canonical_id: UUID,
      state: 'running',
      power_state: 'poweredOn',
      region: 'us-east-1',
      availability_zone: 'us-east-1a',
      cloud_tenant: aws.account,
      flavor: 't3.micro',
      cpu_count: 2,
      fqdn: 'ip-10-0-0-4.ec2.internal',
      ip_addresses: ['10.0.0.4'],
      os_type: 'linux',
      os_name: 'Linux/UNIX',
      vendor_identifiers: {
        instance_id: 'i-00000000000000001',
        image_id: 'ami-0abcdef1234567890',
        network_interface_ids: ['eni-00000000000000001'],
        smbios_uuid: UUID,
        account_id: aws.account,
      },
      provider_tags: { Name: 'us-east-1-app-00001', env: 'dev', smbios_uuid: UUID.toUpperCase() },
    });
    // Without the tag the instance id is the identity.
    expect(byRef['i-00000000000000002'].canonical_id).toBe('i-00000000000000002');
    expect(byRef['vol-00000000000000001']).toMatchObject({ disk_gb: 20, state: 'active' });
    expect(byRef['arn:aws:s3:::inventory-us-east-1-assets']).toMatchObject({
      region: 'us-east-1',
      provider_tags: { env: 'prod' },
    });
    expect(byRef['arn:aws:s3:::elsewhere']).toBeUndefined(); // a region this provider does not collect
    const lb = Object.values(byRef).find(
      (r) => r.name === 'us-east-1-web' && r.resource_type_slug === 'load_balancer',
    );
    expect(lb).toMatchObject({ state: 'active', provider_tags: { env: 'prod' } });
    const db = Object.values(byRef).find((r) => r.name === 'us-east-1-orders');
    expect(db).toMatchObject({ state: 'running', flavor: 'db.m6g.large', disk_gb: 100 });

    const edges = (await http(`${t.api}/resource-relationships/?provider=${mainProvider}&page_size=500`)).body
      .results as any[];
    const named = new Set(edges.map((e) => `${e.source_name} ${e.relationship_type} ${e.target_name}`));
    for (const expected of [
      'us-east-1-app-00001 member_of us-east-1-private-a',
      'us-east-1-private-a part_of us-east-1-main',
      'vol-00000000000000001 attached_to us-east-1-app-00001',
      'us-east-1-app-00001 member_of web',
      'us-east-1-app-00001 member_of us-east-1-web-asg',
      'us-east-1-web routes_to us-east-1-app-00001',
      'us-east-1-web routes_to us-east-1-app-00003',
      'us-east-1-orders member_of us-east-1-private-a',
      'us-east-1-orders member_of us-east-1-private-b',
      'eu-west-1-app-00002 member_of eu-west-1-private-b',
    ])
      expect(named).toContain(expected);
    // Every list was paged (2 items per page): several DescribeInstances calls per region.
    const describes = aws.calls
      .slice(calls)
      .filter((c) => c.action === 'DescribeInstances' && c.region === 'us-east-1');
    expect(describes.length).toBe(2);
    expect(
      aws.calls.slice(calls).filter((c) => c.service === 'lambda' && c.action.startsWith('GET /2017')).length,
    ).toBe(2);
  });

  it('retries throttled calls with backoff and completes', async () => {
    aws.throttle.set('ec2', 2);
    aws.throttle.set('lambda', 1);
    aws.throttle.set('autoscaling', 1);
    aws.throttle.set('s3', 1);
    const run = await collectAndWait(t, mainProvider);
    expect(run).toMatchObject({ status: 'completed', resources_found: 32, resources_unchanged: 32 });
    expect([...aws.throttle.values()].every((n) => n === 0)).toBe(true);
  });

  it('fails the run when one region fails, removes nothing, and removes after the next successful run', async () => {
    const east = aws.region('us-east-1');
    const gone = east.instances.splice(2, 1)[0];
    aws.failingRegions.add('eu-west-1');
    try {
      const run = await collectAndWait(t, mainProvider);
      expect(run.status).toBe('failed');
      expect(run.error_message).toMatch(
        /eu-west-1: EC2 DescribeVpcs in eu-west-1 failed: UnauthorizedOperation/,
      );
      expect(run.error_message).toMatch(/nothing was marked removed/);
      expect(run.resources_removed).toBe(0);
      const stillThere = (await resources(mainProvider)).find((r) => r.ems_ref === gone.id);
      expect(stillThere.removed_at).toBeNull();
    } finally {
      aws.failingRegions.clear();
    }
    const ok = await collectAndWait(t, mainProvider);
    expect(ok).toMatchObject({ status: 'completed', resources_removed: 1 });
    const removed = (await resources(mainProvider)).find((r) => r.ems_ref === gone.id);
    expect(removed.removed_at).not.toBeNull();
    east.instances.splice(2, 0, gone);
  });

  it('assumes a role with its external id for cross-account collection', async () => {
    const id = await provider('aws assumed', {
      assume_role_arn: 'arn:aws:iam::210987654321:role/inventory-reader',
      external_id: 'ext-1234',
      regions: ['eu-west-1'],
    });
    const run = await collectAndWait(t, id);
    expect(run).toMatchObject({ status: 'completed', resources_found: 16 }); // eu-west-1 and its bucket
    expect(aws.calls.some((c) => c.action === 'AssumeRole')).toBe(true);
    const wrong = await collectAndWait(
      t,
      await provider('aws assumed wrong id', {
        assume_role_arn: 'arn:aws:iam::210987654321:role/inventory-reader',
        external_id: 'not-it',
      }),
    );
    expect(wrong.status).toBe('failed');
    expect(wrong.error_message).toMatch(/STS AssumeRole in us-east-1 failed: AccessDenied/);
  });

  it('says so when the credentials are wrong or expired, never showing the secret', async () => {
    const wrong = await collectAndWait(
      t,
      await provider('aws wrong secret', { secret_access_key: 'not-the-secret-9876' }),
    );
    expect(wrong.status).toBe('failed');
    expect(wrong.error_message).toBe(
      `AWS refused the credentials of access key ${aws.accessKeyId} (SignatureDoesNotMatch on STS GetCallerIdentity in us-east-1).`,
    );
    expect(JSON.stringify(wrong)).not.toContain('not-the-secret-9876');

    const temp = aws.temporaryCredentials(true);
    const expired = await collectAndWait(
      t,
      await provider('aws expired', {
        access_key_id: temp.accessKeyId,
        secret_access_key: temp.secretAccessKey,
        session_token: temp.sessionToken,
      }),
    );
    expect(expired.status).toBe('failed');
    expect(expired.error_message).toMatch(
      /^The AWS credentials have expired \(ExpiredToken on STS GetCallerIdentity/,
    );
    expect(JSON.stringify(expired)).not.toContain(temp.sessionToken);

    const test = await http(`${t.api}/provider-plugins/aws:aws/test/`, { method: 'POST' });
    const results = Object.fromEntries(test.body.results.map((r: any) => [r.provider_name, r]));
    expect(results['aws main']).toMatchObject({
      ok: true,
      message: expect.stringContaining(`Connected to AWS account ${aws.account}`),
    });
    expect(results['aws wrong secret']).toMatchObject({
      ok: false,
      message: expect.stringContaining('refused'),
    });
  });

  it('refuses a plain http:// endpoint without allow_http, and an unreachable one clearly', async () => {
    const plain = await collectAndWait(t, await provider('aws plain http', { allow_http: false }));
    expect(plain.status).toBe('failed');
    expect(plain.error_message).toMatch(/Refusing to send AWS-signed requests over plain http/);
    const down = await collectAndWait(
      t,
      await provider('aws unreachable', { endpoint_url: 'http://127.0.0.1:9', max_attempts: 1 }),
    );
    expect(down.status).toBe('failed');
    expect(down.error_message).toMatch(
      /Cannot reach AWS for STS GetCallerIdentity in us-east-1: ECONNREFUSED/,
    );
  });

  it('declares its connection parameters, secrets marked secret', async () => {
    const plugin = (await http(`${t.api}/provider-plugins/aws:aws/`)).body;
    const params = Object.fromEntries(plugin.connection_parameters.map((p: any) => [p.name, p]));
    expect(Object.keys(params)).toEqual(
      expect.arrayContaining([
        'access_key_id',
        'secret_access_key',
        'session_token',
        'region',
        'regions',
        'assume_role_arn',
        'external_id',
        'endpoint_url',
      ]),
    );
    expect(params.secret_access_key.secret).toBe(true);
    expect(params.session_token.secret).toBe(true);
    expect(params.regions.type).toBe('list');
    const bad = await http(`${t.api}/providers/`, {
      method: 'POST',
      json: {
        name: 'aws bad regions',
        vendor: 'aws',
        provider_type: 'aws',
        infrastructure: 'public_cloud',
        organization: 1,
        connection_config: { access_key_id: 'a', secret_access_key: 'b', regions: 'us-east-1' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors['connection_config.regions']).toEqual(['"regions" must be a list of strings.']);
  });
});
