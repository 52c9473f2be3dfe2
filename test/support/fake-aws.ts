import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local stand-in for AWS that answers the calls the `aws:aws` collector makes, each in
 * its service's documented wire protocol, at one endpoint (as LocalStack does): the
 * service and region come from the SigV4 credential scope of each request, and the
 * signature is verified with the caller's secret key.
 *
 * - EC2 (Query, `ec2` XML: `<item>` lists): DescribeRegions, DescribeInstances,
 *   DescribeVolumes, DescribeVpcs, DescribeSubnets, DescribeSecurityGroups;
 * - Auto Scaling, ELBv2, RDS, STS (Query, `awsQuery` XML: `<...Result>`, `<member>` lists,
 *   `<ErrorResponse>` errors): DescribeAutoScalingGroups; DescribeLoadBalancers,
 *   DescribeTargetGroups, DescribeTargetHealth, DescribeTags; DescribeDBInstances;
 *   GetCallerIdentity, AssumeRole;
 * - S3 (REST/XML, path-style): ListBuckets, GetBucketLocation, GetBucketTagging;
 * - Lambda and EKS (REST/JSON, `x-amzn-ErrorType` errors): ListFunctions, ListTags;
 *   ListClusters, DescribeCluster.
 *
 * Lists page with each API's own token (`NextToken`, `Marker`, `NextMarker`,
 * `nextToken`, `ContinuationToken`), capped at `maxPageSize` so tests see several pages.
 * Tests can throttle the next N calls of a service, expire a credential, and make every
 * call in one region fail.
 */

export interface FakeCredential {
  secretAccessKey: string;
  sessionToken?: string;
  account: string;
  arn: string;
  expired?: boolean;
}

export interface FakeInstance {
  id: string;
  name: string;
  type: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  az: string;
  vpc: string;
  subnet: string;
  privateIp: string;
  publicIp?: string;
  image: string;
  securityGroups: string[];
  enis: { id: string; mac: string; ip: string }[];
  volumes: string[];
  tags: Record<string, string>;
  launchTime: string;
  platform?: 'windows';
  cores: number;
  threads: number;
}

export interface FakeRegion {
  vpcs: { id: string; cidr: string; isDefault: boolean; tags: Record<string, string> }[];
  subnets: { id: string; vpc: string; cidr: string; az: string; tags: Record<string, string> }[];
  securityGroups: {
    id: string;
    name: string;
    vpc: string;
    description: string;
    tags: Record<string, string>;
  }[];
  instances: FakeInstance[];
  volumes: {
    id: string;
    sizeGb: number;
    type: string;
    az: string;
    state: string;
    attachedTo?: string;
    device?: string;
    encrypted: boolean;
    created: string;
    tags: Record<string, string>;
  }[];
  databases: {
    id: string;
    engine: string;
    version: string;
    klass: string;
    status: string;
    storageGb: number;
    az: string;
    multiAz: boolean;
    vpc: string;
    subnets: string[];
    securityGroups: string[];
    address: string;
    port: number;
    created: string;
    tags: Record<string, string>;
  }[];
  loadBalancers: {
    name: string;
    type: 'application' | 'network';
    scheme: string;
    vpc: string;
    subnets: string[];
    securityGroups: string[];
    state: string;
    created: string;
    tags: Record<string, string>;
  }[];
  targetGroups: { name: string; loadBalancer: string; vpc: string; port: number; targets: string[] }[];
  functions: {
    name: string;
    runtime: string;
    memoryMb: number;
    timeout: number;
    handler: string;
    vpc?: string;
    subnets?: string[];
    securityGroups?: string[];
    lastModified: string;
    tags: Record<string, string>;
  }[];
  clusters: {
    name: string;
    version: string;
    status: string;
    vpc: string;
    subnets: string[];
    securityGroup: string;
    createdAt: string;
    tags: Record<string, string>;
  }[];
  autoScalingGroups: {
    name: string;
    min: number;
    max: number;
    desired: number;
    subnets: string[];
    instances: string[];
    targetGroups: string[];
    created: string;
    tags: Record<string, string>;
  }[];
}

export interface FakeBucket {
  name: string;
  region: string;
  created: string;
  tags: Record<string, string>;
}

export const emptyRegion = (): FakeRegion => ({
  vpcs: [],
  subnets: [],
  securityGroups: [],
  instances: [],
  volumes: [],
  databases: [],
  loadBalancers: [],
  targetGroups: [],
  functions: [],
  clusters: [],
  autoScalingGroups: [],
});

const escapeXml = (value: unknown) => String(value).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
/** `<name>content</name>`; content is text (escaped) or already-built XML (an array of elements). */
const el = (name: string, content: unknown): string =>
  content === undefined || content === null
    ? ''
    : `<${name}>${Array.isArray(content) ? content.join('') : escapeXml(content)}</${name}>`;
const list = (wrapper: string, member: string, items: string[]) =>
  el(
    wrapper,
    items.map((i) => el(member, [i])),
  );
const itemSet = (name: string, items: string[][]) =>
  el(
    name,
    items.map((i) => el('item', i)),
  );
const tagSet = (tags: Record<string, string>) =>
  itemSet(
    'tagSet',
    Object.entries(tags).map(([k, v]) => [el('key', k), el('value', v)]),
  );
const memberTags = (wrapper: string, tags: Record<string, string>, member = 'member') =>
  el(
    wrapper,
    Object.entries(tags).map(([k, v]) => el(member, [el('Key', k), el('Value', v)])),
  );

const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

class AwsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Call {
  service: string;
  region: string;
  action: string;
  params: URLSearchParams;
  path: string;
  account: string;
}

const NAMESPACES: Record<string, string> = {
  ec2: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  autoscaling: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  elasticloadbalancing: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  rds: 'http://rds.amazonaws.com/doc/2014-10-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  s3: 'http://s3.amazonaws.com/doc/2006-03-01/',
};

export class FakeAws {
  server: Server | null = null;
  url = '';
  readonly accessKeyId = 'AKIAFAKEINVENTORY01';
  readonly secretAccessKey = 'fake/secret+key/for/tests/only/0123456789';
  readonly account = '123456789012';
  readonly credentials = new Map<string, FakeCredential>();
  /** Roles AssumeRole accepts: ARN → the external id it requires (or null). */
  readonly roles = new Map<string, string | null>();
  readonly regions: Record<string, FakeRegion> = {};
  readonly buckets: FakeBucket[] = [];
  /** Largest page any list answers (the caller's own page size may be smaller). */
  maxPageSize = 1000;
  /** Calls of these services answer with a throttling error, this many more times. */
  readonly throttle = new Map<string, number>();
  /** Every call in these regions answers 403 UnauthorizedOperation. */
  readonly failingRegions = new Set<string>();
  /** Every call seen, for assertions (service, region, action). */
  readonly calls: { service: string; region: string; action: string }[] = [];

  constructor() {
    this.credentials.set(this.accessKeyId, {
      secretAccessKey: this.secretAccessKey,
      account: this.account,
      arn: `arn:aws:iam::${this.account}:user/inventory`,
    });
  }

  region(name: string): FakeRegion {
    return (this.regions[name] ??= emptyRegion());
  }

  /** Temporary credentials (an ASIA… key with a session token), optionally already expired. */
  temporaryCredentials(expired = false): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
  } {
    const accessKeyId = `ASIA${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const secretAccessKey = randomUUID();
    const sessionToken = `FwoGZXIvYXdzE${randomUUID()}`;
    this.credentials.set(accessKeyId, {
      secretAccessKey,
      sessionToken,
      account: this.account,
      arn: `arn:aws:sts::${this.account}:assumed-role/inventory/session`,
      expired,
    });
    return { accessKeyId, secretAccessKey, sessionToken };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      req.headers.authorization ?? '',
    );
    const service = scope?.[4] ?? 'unknown';
    const params =
      req.method === 'POST' && body.length && service !== 's3'
        ? new URLSearchParams(body.toString('utf8'))
        : url.searchParams;
    const action = params.get('Action') ?? `${req.method} ${url.pathname}`;
    try {
      if (!scope)
        throw new AwsFault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      const [, accessKeyId, , region] = scope;
      this.calls.push({ service, region, action });
      const credential = this.authenticate(req, url, body, accessKeyId, service);
      const remaining = this.throttle.get(service) ?? 0;
      if (remaining > 0) {
        this.throttle.set(service, remaining - 1);
        throw this.throttling(service);
      }
      if (this.failingRegions.has(region))
        throw new AwsFault(
          403,
          'UnauthorizedOperation',
          `You are not authorized to perform this operation in ${region}.`,
        );
      const call: Call = { service, region, action, params, path: url.pathname, account: credential.account };
      const answer = this.route(call, url);
      res.writeHead(200, {
        'content-type': answer.json ? 'application/json' : 'text/xml',
        'x-amzn-requestid': randomUUID(),
      });
      res.end(answer.json ? JSON.stringify(answer.json) : answer.xml);
    } catch (error) {
      const fault =
        error instanceof AwsFault ? error : new AwsFault(500, 'InternalError', (error as Error).message);
      this.fail(res, service, fault);
    }
  }

  /** Verifies the SigV4 signature (and the session token) with the caller's secret. */
  private authenticate(
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    accessKeyId: string,
    service: string,
  ): FakeCredential {
    const credential = this.credentials.get(accessKeyId);
    if (!credential)
      throw new AwsFault(
        403,
        service === 'ec2' ? 'AuthFailure' : 'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    if (credential.sessionToken && req.headers['x-amz-security-token'] !== credential.sessionToken)
      throw new AwsFault(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    const auth = req.headers.authorization!;
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1].split(';') ?? [];
    const signature = /Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '';
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const scope = /Credential=[^/]+\/([^,]+)/.exec(auth)![1];
    const rawPath = (req.url ?? '/').split('?')[0];
    const canonicalUri =
      service === 's3'
        ? rawPath
        : rawPath
            .split('/')
            .map((segment) => uriEncode(segment))
            .join('/');
    const rawQuery = (req.url ?? '').includes('?')
      ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1)
      : '';
    const canonicalQuery = rawQuery
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const [k, v = ''] = pair.split('=');
        return [uriEncode(decodeURIComponent(k)), uriEncode(decodeURIComponent(v))];
      })
      .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalHeaders = signedHeaders
      .map(
        (name) =>
          `${name}:${String(req.headers[name] ?? '')
            .trim()
            .replace(/\s+/g, ' ')}\n`,
      )
      .join('');
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? sha256(body));
    const canonicalRequest = [
      req.method,
      canonicalUri,
      canonicalQuery,
      canonicalHeaders,
      signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const [date, region, svc] = scope.split('/');
    const key = hmac(
      hmac(hmac(hmac(`AWS4${credential.secretAccessKey}`, date), region), svc),
      'aws4_request',
    );
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    if (expected !== signature)
      throw new AwsFault(
        403,
        service === 'ec2' ? 'AuthFailure' : 'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (credential.expired)
      throw new AwsFault(
        service === 's3' ? 400 : 403,
        service === 'lambda' || service === 'eks' ? 'ExpiredTokenException' : 'ExpiredToken',
        'The security token included in the request is expired',
      );
    return credential;
  }

  private throttling(service: string): AwsFault {
    if (service === 'ec2') return new AwsFault(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    if (service === 's3') return new AwsFault(503, 'SlowDown', 'Please reduce your request rate.');
    if (service === 'lambda') return new AwsFault(429, 'TooManyRequestsException', 'Rate exceeded');
    if (service === 'eks') return new AwsFault(429, 'ThrottlingException', 'Rate exceeded');
    return new AwsFault(400, 'Throttling', 'Rate exceeded');
  }

  private fail(res: ServerResponse, service: string, fault: AwsFault): void {
    const requestId = randomUUID();
    if (service === 'lambda' || service === 'eks' || service === 'unknown') {
      res.writeHead(fault.status, { 'content-type': 'application/json', 'x-amzn-errortype': fault.code });
      res.end(JSON.stringify({ message: fault.message }));
    } else if (service === 'ec2') {
      res.writeHead(fault.status, { 'content-type': 'text/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${el('Errors', [el('Error', [el('Code', fault.code), el('Message', fault.message)])])}${el('RequestID', requestId)}</Response>`,
      );
    } else if (service === 's3') {
      res.writeHead(fault.status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n${el('Error', [el('Code', fault.code), el('Message', fault.message), el('RequestId', requestId)])}`,
      );
    } else {
      res.writeHead(fault.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="${NAMESPACES[service] ?? ''}">${el('Error', [el('Type', fault.status >= 500 ? 'Receiver' : 'Sender'), el('Code', fault.code), el('Message', fault.message)])}${el('RequestId', requestId)}</ErrorResponse>`,
      );
    }
  }

  /** One page of `items` from the caller's token; the token is the next offset. */
  private page<T>(
    items: T[],
    token: string | null,
    requested: string | null,
  ): { items: T[]; next: string | null } {
    const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw new AwsFault(400, 'InvalidParameterValue', 'Invalid pagination token.');
    const size = Math.min(Number(requested) || this.maxPageSize, this.maxPageSize);
    const end = start + size;
    return {
      items: items.slice(start, end),
      next: end < items.length ? Buffer.from(String(end)).toString('base64url') : null,
    };
  }

  private query(service: string, action: string, result: string[]): { xml: string } {
    return {
      xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACES[service]}">${el(`${action}Result`, result)}${el('ResponseMetadata', [el('RequestId', randomUUID())])}</${action}Response>`,
    };
  }

  private ec2(action: string, content: string[]): { xml: string } {
    return {
      xml: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACES.ec2}">${el('requestId', randomUUID())}${content.join('')}</${action}Response>`,
    };
  }

  private route(call: Call, url: URL): { xml?: string; json?: unknown } {
    const r = this.region(call.region);
    const p = call.params;
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:${call.region}:${call.account}:${resource}`;
    switch (`${call.service} ${call.action}`) {
      case 'sts GetCallerIdentity':
        return this.query('sts', 'GetCallerIdentity', [
          el('Arn', this.credentials.get(this.callerKey(call))?.arn ?? ''),
          el('UserId', 'AIDAFAKEUSERID'),
          el('Account', call.account),
        ]);
      case 'sts AssumeRole': {
        const role = p.get('RoleArn') ?? '';
        if (!this.roles.has(role))
          throw new AwsFault(
            403,
            'AccessDenied',
            `User is not authorized to perform: sts:AssumeRole on resource: ${role}`,
          );
        const externalId = this.roles.get(role);
        if (externalId && p.get('ExternalId') !== externalId)
          throw new AwsFault(403, 'AccessDenied', 'The external id does not match.');
        const temp = this.temporaryCredentials();
        return this.query('sts', 'AssumeRole', [
          el('Credentials', [
            el('AccessKeyId', temp.accessKeyId),
            el('SecretAccessKey', temp.secretAccessKey),
            el('SessionToken', temp.sessionToken),
            el('Expiration', new Date(Date.now() + 3600_000).toISOString()),
          ]),
          el('AssumedRoleUser', [
            el('AssumedRoleId', `AROAFAKE:${p.get('RoleSessionName')}`),
            el('Arn', `${role}/${p.get('RoleSessionName')}`),
          ]),
        ]);
      }
      case 'ec2 DescribeRegions':
        return this.ec2('DescribeRegions', [
          itemSet(
            'regionInfo',
            Object.keys(this.regions).map((name) => [
              el('regionName', name),
              el('regionEndpoint', `ec2.${name}.amazonaws.com`),
              el('optInStatus', 'opt-in-not-required'),
            ]),
          ),
        ]);
      case 'ec2 DescribeInstances': {
        const { items, next } = this.page(r.instances, p.get('NextToken'), p.get('MaxResults'));
        return this.ec2('DescribeInstances', [
          itemSet(
            'reservationSet',
            items.map((i) => [
              el('reservationId', `r-${i.id.slice(2)}`),
              el('ownerId', call.account),
              itemSet('instancesSet', [this.instanceXml(i)]),
            ]),
          ),
          el('nextToken', next),
        ]);
      }
      case 'ec2 DescribeVolumes': {
        const { items, next } = this.page(r.volumes, p.get('NextToken'), p.get('MaxResults'));
        return this.ec2('DescribeVolumes', [
          itemSet(
            'volumeSet',
            items.map((v) => [
              el('volumeId', v.id),
              el('size', v.sizeGb),
              el('snapshotId', ''),
              el('availabilityZone', v.az),
              el('status', v.state),
              el('createTime', v.created),
              itemSet(
                'attachmentSet',
                v.attachedTo
                  ? [
                      [
                        el('volumeId', v.id),
                        el('instanceId', v.attachedTo),
                        el('device', v.device ?? '/dev/xvda'),
                        el('status', 'attached'),
                        el('attachTime', v.created),
                        el('deleteOnTermination', true),
                      ],
                    ]
                  : [],
              ),
              el('volumeType', v.type),
              el('iops', 3000),
              el('throughput', 125),
              el('encrypted', v.encrypted),
              el('multiAttachEnabled', false),
              tagSet(v.tags),
            ]),
          ),
          el('nextToken', next),
        ]);
      }
      case 'ec2 DescribeVpcs': {
        const { items, next } = this.page(r.vpcs, p.get('NextToken'), p.get('MaxResults'));
        return this.ec2('DescribeVpcs', [
          itemSet(
            'vpcSet',
            items.map((v) => [
              el('vpcId', v.id),
              el('ownerId', call.account),
              el('state', 'available'),
              el('cidrBlock', v.cidr),
              el('dhcpOptionsId', 'dopt-0fake'),
              el('instanceTenancy', 'default'),
              el('isDefault', v.isDefault),
              tagSet(v.tags),
            ]),
          ),
          el('nextToken', next),
        ]);
      }
      case 'ec2 DescribeSubnets': {
        const { items, next } = this.page(r.subnets, p.get('NextToken'), p.get('MaxResults'));
        return this.ec2('DescribeSubnets', [
          itemSet(
            'subnetSet',
            items.map((s) => [
              el('subnetId', s.id),
              el('subnetArn', arn('ec2', `subnet/${s.id}`)),
              el('state', 'available'),
              el('ownerId', call.account),
              el('vpcId', s.vpc),
              el('cidrBlock', s.cidr),
              el('availableIpAddressCount', 250),
              el('availabilityZone', s.az),
              el('defaultForAz', false),
              el('mapPublicIpOnLaunch', false),
              tagSet(s.tags),
            ]),
          ),
          el('nextToken', next),
        ]);
      }
      case 'ec2 DescribeSecurityGroups': {
        const { items, next } = this.page(r.securityGroups, p.get('NextToken'), p.get('MaxResults'));
        return this.ec2('DescribeSecurityGroups', [
          itemSet(
            'securityGroupInfo',
            items.map((g) => [
              el('ownerId', call.account),
              el('groupId', g.id),
              el('groupName', g.name),
              el('groupDescription', g.description),
              el('vpcId', g.vpc),
              el('securityGroupArn', arn('ec2', `security-group/${g.id}`)),
              itemSet('ipPermissions', [[el('ipProtocol', 'tcp'), el('fromPort', 443), el('toPort', 443)]]),
              itemSet('ipPermissionsEgress', [[el('ipProtocol', '-1')]]),
              tagSet(g.tags),
            ]),
          ),
          el('nextToken', next),
        ]);
      }
      case 'autoscaling DescribeAutoScalingGroups': {
        const { items, next } = this.page(r.autoScalingGroups, p.get('NextToken'), p.get('MaxRecords'));
        return this.query('autoscaling', 'DescribeAutoScalingGroups', [
          list(
            'AutoScalingGroups',
            'member',
            items.map((g) =>
              [
                el('AutoScalingGroupName', g.name),
                el(
                  'AutoScalingGroupARN',
                  arn(
                    'autoscaling',
                    `autoScalingGroup:6d2a4f1e-0000-4000-8000-000000000000:autoScalingGroupName/${g.name}`,
                  ),
                ),
                el('LaunchTemplate', [
                  el('LaunchTemplateId', 'lt-0fake'),
                  el('LaunchTemplateName', `${g.name}-lt`),
                  el('Version', '$Latest'),
                ]),
                el('MinSize', g.min),
                el('MaxSize', g.max),
                el('DesiredCapacity', g.desired),
                el('DefaultCooldown', 300),
                list(
                  'AvailabilityZones',
                  'member',
                  [...new Set(g.subnets.map((s) => r.subnets.find((x) => x.id === s)?.az ?? ''))].map(
                    escapeXml,
                  ),
                ),
                list(
                  'TargetGroupARNs',
                  'member',
                  g.targetGroups.map((tg) => escapeXml(this.targetGroupArn(call, tg))),
                ),
                el('HealthCheckType', 'EC2'),
                el('HealthCheckGracePeriod', 300),
                list(
                  'Instances',
                  'member',
                  g.instances.map((id) =>
                    [
                      el('InstanceId', id),
                      el('InstanceType', r.instances.find((i) => i.id === id)?.type ?? 't3.micro'),
                      el('AvailabilityZone', r.instances.find((i) => i.id === id)?.az ?? ''),
                      el('LifecycleState', 'InService'),
                      el('HealthStatus', 'Healthy'),
                      el('ProtectedFromScaleIn', false),
                    ].join(''),
                  ),
                ),
                el('CreatedTime', g.created),
                el('VPCZoneIdentifier', g.subnets.join(',')),
                el(
                  'Tags',
                  Object.entries(g.tags).map(([k, v]) =>
                    el('member', [
                      el('ResourceId', g.name),
                      el('ResourceType', 'auto-scaling-group'),
                      el('Key', k),
                      el('Value', v),
                      el('PropagateAtLaunch', true),
                    ]),
                  ),
                ),
              ].join(''),
            ),
          ),
          el('NextToken', next),
        ]);
      }
      case 'elasticloadbalancing DescribeLoadBalancers': {
        const { items, next } = this.page(r.loadBalancers, p.get('Marker'), p.get('PageSize'));
        return this.query('elasticloadbalancing', 'DescribeLoadBalancers', [
          list(
            'LoadBalancers',
            'member',
            items.map((lb) =>
              [
                el('LoadBalancerArn', this.loadBalancerArn(call, lb.name, lb.type)),
                el('DNSName', `${lb.name}-1234567890.${call.region}.elb.amazonaws.com`),
                el('CanonicalHostedZoneId', 'Z35SXDOTRQ7X7K'),
                el('CreatedTime', lb.created),
                el('LoadBalancerName', lb.name),
                el('Scheme', lb.scheme),
                el('VpcId', lb.vpc),
                el('State', [el('Code', lb.state)]),
                el('Type', lb.type),
                list(
                  'AvailabilityZones',
                  'member',
                  lb.subnets.map((s) =>
                    [el('ZoneName', r.subnets.find((x) => x.id === s)?.az ?? ''), el('SubnetId', s)].join(''),
                  ),
                ),
                list('SecurityGroups', 'member', lb.securityGroups.map(escapeXml)),
                el('IpAddressType', 'ipv4'),
              ].join(''),
            ),
          ),
          el('NextMarker', next),
        ]);
      }
      case 'elasticloadbalancing DescribeTargetGroups': {
        const forLb = p.get('LoadBalancerArn');
        const groups = r.targetGroups.filter(
          (tg) =>
            !forLb ||
            this.loadBalancerArn(
              call,
              tg.loadBalancer,
              r.loadBalancers.find((lb) => lb.name === tg.loadBalancer)?.type ?? 'application',
            ) === forLb,
        );
        const { items, next } = this.page(groups, p.get('Marker'), p.get('PageSize'));
        return this.query('elasticloadbalancing', 'DescribeTargetGroups', [
          list(
            'TargetGroups',
            'member',
            items.map((tg) =>
              [
                el('TargetGroupArn', this.targetGroupArn(call, tg.name)),
                el('TargetGroupName', tg.name),
                el('Protocol', 'HTTP'),
                el('Port', tg.port),
                el('VpcId', tg.vpc),
                el('TargetType', 'instance'),
                list('LoadBalancerArns', 'member', [
                  escapeXml(
                    this.loadBalancerArn(
                      call,
                      tg.loadBalancer,
                      r.loadBalancers.find((lb) => lb.name === tg.loadBalancer)?.type ?? 'application',
                    ),
                  ),
                ]),
              ].join(''),
            ),
          ),
          el('NextMarker', next),
        ]);
      }
      case 'elasticloadbalancing DescribeTargetHealth': {
        const tgArn = p.get('TargetGroupArn') ?? '';
        const tg = r.targetGroups.find((g) => this.targetGroupArn(call, g.name) === tgArn);
        if (!tg) throw new AwsFault(400, 'TargetGroupNotFound', `Target groups '${tgArn}' not found`);
        return this.query('elasticloadbalancing', 'DescribeTargetHealth', [
          list(
            'TargetHealthDescriptions',
            'member',
            tg.targets.map((id) =>
              [
                el('Target', [el('Id', id), el('Port', tg.port)]),
                el('HealthCheckPort', tg.port),
                el('TargetHealth', [el('State', 'healthy')]),
              ].join(''),
            ),
          ),
        ]);
      }
      case 'elasticloadbalancing DescribeTags': {
        const arns = [...p.entries()].filter(([k]) => k.startsWith('ResourceArns.member.')).map(([, v]) => v);
        if (arns.length > 20) throw new AwsFault(400, 'ValidationError', 'At most 20 resource ARNs.');
        return this.query('elasticloadbalancing', 'DescribeTags', [
          list(
            'TagDescriptions',
            'member',
            arns.map((a) => {
              const lb = r.loadBalancers.find((l) => this.loadBalancerArn(call, l.name, l.type) === a);
              return [el('ResourceArn', a), memberTags('Tags', lb?.tags ?? {})].join('');
            }),
          ),
        ]);
      }
      case 'rds DescribeDBInstances': {
        const { items, next } = this.page(r.databases, p.get('Marker'), p.get('MaxRecords'));
        return this.query('rds', 'DescribeDBInstances', [
          list(
            'DBInstances',
            'DBInstance',
            items.map((d) =>
              [
                el('DBInstanceIdentifier', d.id),
                el('DBInstanceClass', d.klass),
                el('Engine', d.engine),
                el('DBInstanceStatus', d.status),
                el('Endpoint', [el('Address', d.address), el('Port', d.port)]),
                el('AllocatedStorage', d.storageGb),
                el('InstanceCreateTime', d.created),
                el('AvailabilityZone', d.az),
                el('MultiAZ', d.multiAz),
                el('EngineVersion', d.version),
                el('DBSubnetGroup', [
                  el('DBSubnetGroupName', `${d.id}-subnets`),
                  el('VpcId', d.vpc),
                  el('SubnetGroupStatus', 'Complete'),
                  list(
                    'Subnets',
                    'Subnet',
                    d.subnets.map((s) =>
                      [
                        el('SubnetIdentifier', s),
                        el('SubnetAvailabilityZone', [
                          el('Name', r.subnets.find((x) => x.id === s)?.az ?? ''),
                        ]),
                        el('SubnetStatus', 'Active'),
                      ].join(''),
                    ),
                  ),
                ]),
                list(
                  'VpcSecurityGroups',
                  'VpcSecurityGroupMembership',
                  d.securityGroups.map((g) => [el('VpcSecurityGroupId', g), el('Status', 'active')].join('')),
                ),
                el('StorageType', 'gp3'),
                el('StorageEncrypted', true),
                el('DBInstanceArn', arn('rds', `db:${d.id}`)),
                el('PubliclyAccessible', false),
                el('BackupRetentionPeriod', 7),
                memberTags('TagList', d.tags, 'Tag'),
              ].join(''),
            ),
          ),
          el('Marker', next),
        ]);
      }
      default:
        return this.rest(call, url);
    }
  }

  private rest(call: Call, url: URL): { xml?: string; json?: unknown } {
    const r = this.region(call.region);
    const path = url.pathname;
    if (call.service === 's3') {
      if (path === '/') {
        const { items, next } = this.page(
          this.buckets,
          url.searchParams.get('continuation-token'),
          url.searchParams.get('max-buckets'),
        );
        return {
          xml: `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${NAMESPACES.s3}">${el('Owner', [el('ID', 'fakeownerid'), el('DisplayName', 'inventory')])}${el(
            'Buckets',
            items.map((b) =>
              el('Bucket', [el('Name', b.name), el('CreationDate', b.created), el('BucketRegion', b.region)]),
            ),
          )}${el('ContinuationToken', next)}</ListAllMyBucketsResult>`,
        };
      }
      const bucket = this.buckets.find((b) => `/${b.name}` === path || `/${b.name}/` === path);
      if (!bucket) throw new AwsFault(404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (url.searchParams.has('location'))
        return {
          xml: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${NAMESPACES.s3}">${bucket.region === 'us-east-1' ? '' : escapeXml(bucket.region)}</LocationConstraint>`,
        };
      if (url.searchParams.has('tagging')) {
        if (!Object.keys(bucket.tags).length)
          throw new AwsFault(404, 'NoSuchTagSet', 'The TagSet does not exist');
        return {
          xml: `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="${NAMESPACES.s3}">${el(
            'TagSet',
            Object.entries(bucket.tags).map(([k, v]) => el('Tag', [el('Key', k), el('Value', v)])),
          )}</Tagging>`,
        };
      }
    }
    if (call.service === 'lambda') {
      if (path === '/2015-03-31/functions/' || path === '/2015-03-31/functions') {
        const { items, next } = this.page(
          r.functions,
          url.searchParams.get('Marker'),
          url.searchParams.get('MaxItems'),
        );
        return {
          json: {
            Functions: items.map((f) => ({
              FunctionName: f.name,
              FunctionArn: this.functionArn(call, f.name),
              Runtime: f.runtime,
              Role: `arn:aws:iam::${call.account}:role/${f.name}-role`,
              Handler: f.handler,
              CodeSize: 1024,
              Description: '',
              Timeout: f.timeout,
              MemorySize: f.memoryMb,
              LastModified: f.lastModified,
              Version: '$LATEST',
              VpcConfig: f.vpc
                ? { SubnetIds: f.subnets ?? [], SecurityGroupIds: f.securityGroups ?? [], VpcId: f.vpc }
                : undefined,
              PackageType: 'Zip',
              Architectures: ['x86_64'],
            })),
            NextMarker: next,
          },
        };
      }
      const tags = /^\/2017-03-31\/tags\/(.+)$/.exec(path);
      if (tags) {
        const fnArn = decodeURIComponent(tags[1]);
        const fn = r.functions.find((f) => this.functionArn(call, f.name) === fnArn);
        if (!fn) throw new AwsFault(404, 'ResourceNotFoundException', `Function not found: ${fnArn}`);
        return { json: { Tags: fn.tags } };
      }
    }
    if (call.service === 'eks') {
      if (path === '/clusters') {
        const { items, next } = this.page(
          r.clusters,
          url.searchParams.get('nextToken'),
          url.searchParams.get('maxResults'),
        );
        return { json: { clusters: items.map((c) => c.name), nextToken: next } };
      }
      const one = /^\/clusters\/([^/]+)$/.exec(path);
      if (one) {
        const c = r.clusters.find((x) => x.name === decodeURIComponent(one[1]));
        if (!c) throw new AwsFault(404, 'ResourceNotFoundException', `No cluster found for name: ${one[1]}.`);
        return {
          json: {
            cluster: {
              name: c.name,
              arn: `arn:aws:eks:${call.region}:${call.account}:cluster/${c.name}`,
              createdAt: Date.parse(c.createdAt) / 1000,
              version: c.version,
              endpoint: `https://${c.name.toUpperCase()}.gr7.${call.region}.eks.amazonaws.com`,
              roleArn: `arn:aws:iam::${call.account}:role/${c.name}-cluster`,
              resourcesVpcConfig: {
                subnetIds: c.subnets,
                securityGroupIds: [],
                clusterSecurityGroupId: c.securityGroup,
                vpcId: c.vpc,
                endpointPublicAccess: true,
                endpointPrivateAccess: false,
              },
              status: c.status,
              platformVersion: 'eks.5',
              tags: c.tags,
            },
          },
        };
      }
    }
    throw new AwsFault(400, 'InvalidAction', `The action ${call.action} is not valid for this web service.`);
  }

  private callerKey(call: Call): string {
    for (const [key, credential] of this.credentials)
      if (credential.account === call.account && !credential.sessionToken) return key;
    return this.accessKeyId;
  }

  loadBalancerArn(call: { region: string; account: string }, name: string, type: string): string {
    return `arn:aws:elasticloadbalancing:${call.region}:${call.account}:loadbalancer/${type === 'network' ? 'net' : 'app'}/${name}/50dc6c495c0c9188`;
  }

  targetGroupArn(call: { region: string; account: string }, name: string): string {
    return `arn:aws:elasticloadbalancing:${call.region}:${call.account}:targetgroup/${name}/73e2d6bc24d8a067`;
  }

  functionArn(call: { region: string; account: string }, name: string): string {
    return `arn:aws:lambda:${call.region}:${call.account}:function:${name}`;
  }

  private instanceXml(i: FakeInstance): string[] {
    return [
      el('instanceId', i.id),
      el('imageId', i.image),
      el('instanceState', [
        el(
          'code',
          { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 }[
            i.state
          ],
        ),
        el('name', i.state),
      ]),
      el('privateDnsName', `ip-${i.privateIp.replace(/\./g, '-')}.ec2.internal`),
      el('dnsName', i.publicIp ? `ec2-${i.publicIp.replace(/\./g, '-')}.compute-1.amazonaws.com` : ''),
      el('keyName', 'inventory-key'),
      el('amiLaunchIndex', 0),
      el('instanceType', i.type),
      el('launchTime', i.launchTime),
      el('placement', [el('availabilityZone', i.az), el('tenancy', 'default')]),
      el('platform', i.platform),
      el('monitoring', [el('state', 'disabled')]),
      el('subnetId', i.subnet),
      el('vpcId', i.vpc),
      el('privateIpAddress', i.privateIp),
      el('ipAddress', i.publicIp),
      itemSet(
        'groupSet',
        i.securityGroups.map((g) => [el('groupId', g), el('groupName', g)]),
      ),
      el('architecture', 'x86_64'),
      el('rootDeviceType', 'ebs'),
      el('rootDeviceName', '/dev/xvda'),
      itemSet(
        'blockDeviceMapping',
        i.volumes.map((v, n) => [
          el('deviceName', n === 0 ? '/dev/xvda' : `/dev/sd${String.fromCharCode(98 + n)}`),
          el('ebs', [el('volumeId', v), el('status', 'attached'), el('deleteOnTermination', true)]),
        ]),
      ),
      el('virtualizationType', 'hvm'),
      tagSet(i.tags),
      el('hypervisor', 'xen'),
      itemSet(
        'networkInterfaceSet',
        i.enis.map((eni, n) => [
          el('networkInterfaceId', eni.id),
          el('subnetId', i.subnet),
          el('vpcId', i.vpc),
          el('ownerId', this.account),
          el('status', 'in-use'),
          el('macAddress', eni.mac),
          el('privateIpAddress', eni.ip),
          el('attachment', [
            el('attachmentId', `eni-attach-${eni.id.slice(4)}`),
            el('deviceIndex', n),
            el('status', 'attached'),
          ]),
        ]),
      ),
      el('ebsOptimized', false),
      el('enaSupport', true),
      el('cpuOptions', [el('coreCount', i.cores), el('threadsPerCore', i.threads)]),
      el('platformDetails', i.platform === 'windows' ? 'Windows' : 'Linux/UNIX'),
    ];
  }
}

/**
 * A generated estate for the benchmark and the multivendor seed: per region one VPC with
 * two subnets and a security group, `instances` EC2 instances each with a root volume,
 * an Auto Scaling group and a load balancer over the first ones, a database, a function
 * and an EKS cluster; a bucket per region.
 */
export function fillAwsEstate(
  aws: FakeAws,
  options: {
    regions: string[];
    instancesPerRegion: number;
    smbiosUuid?: (region: string, n: number) => string | null;
  },
): void {
  const created = '2025-01-15T08:30:00.000Z';
  for (const [ri, region] of options.regions.entries()) {
    const r = aws.region(region);
    const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
    const vpc = `vpc-${hex(ri + 1, 17)}`;
    const subnets = [`subnet-${hex(ri * 2 + 1, 17)}`, `subnet-${hex(ri * 2 + 2, 17)}`];
    const sg = `sg-${hex(ri + 1, 17)}`;
    r.vpcs.push({ id: vpc, cidr: `10.${ri}.0.0/16`, isDefault: false, tags: { Name: `${region}-main` } });
    subnets.forEach((id, n) =>
      r.subnets.push({
        id,
        vpc,
        cidr: `10.${ri}.${n}.0/20`,
        az: `${region}${'ab'[n]}`,
        tags: { Name: `${region}-private-${'ab'[n]}` },
      }),
    );
    r.securityGroups.push({ id: sg, name: 'web', vpc, description: 'web tier', tags: {} });
    for (let n = 0; n < options.instancesPerRegion; n++) {
      const id = `i-${hex(ri * 1_000_000 + n + 1, 17)}`;
      const volume = `vol-${hex(ri * 1_000_000 + n + 1, 17)}`;
      const subnet = subnets[n % 2];
      const ip = `10.${ri}.${(n % 2) * 16 + (Math.floor(n / 250) % 16)}.${(n % 250) + 4}`;
      const uuid = options.smbiosUuid?.(region, n) ?? null;
      r.instances.push({
        id,
        name: `${region}-app-${String(n + 1).padStart(5, '0')}`,
        type: ['t3.micro', 'm5.large', 'c6i.xlarge'][n % 3],
        state: n % 10 === 9 ? 'stopped' : 'running',
        az: `${region}${'ab'[n % 2]}`,
        vpc,
        subnet,
        privateIp: ip,
        image: 'ami-0abcdef1234567890',
        securityGroups: [sg],
        enis: [
          {
            id: `eni-${hex(ri * 1_000_000 + n + 1, 17)}`,
            mac: `02:00:${hex(ri, 2)}:${hex((n >> 16) & 255, 2)}:${hex((n >> 8) & 255, 2)}:${hex(n & 255, 2)}`,
            ip,
          },
        ],
        volumes: [volume],
        tags: {
          Name: `${region}-app-${String(n + 1).padStart(5, '0')}`,
          env: n % 2 ? 'prod' : 'dev',
          ...(uuid ? { smbios_uuid: uuid } : {}),
        },
        launchTime: created,
        platform: n % 20 === 7 ? 'windows' : undefined,
        cores: [1, 1, 2][n % 3],
        threads: 2,
      });
      r.volumes.push({
        id: volume,
        sizeGb: 20 + (n % 5) * 10,
        type: 'gp3',
        az: `${region}${'ab'[n % 2]}`,
        state: 'in-use',
        attachedTo: id,
        device: '/dev/xvda',
        encrypted: true,
        created,
        tags: {},
      });
    }
    const first = r.instances.slice(0, Math.min(4, r.instances.length)).map((i) => i.id);
    r.targetGroups.push({
      name: `${region}-web`,
      loadBalancer: `${region}-web`,
      vpc,
      port: 80,
      targets: first,
    });
    r.loadBalancers.push({
      name: `${region}-web`,
      type: 'application',
      scheme: 'internet-facing',
      vpc,
      subnets,
      securityGroups: [sg],
      state: 'active',
      created,
      tags: { env: 'prod' },
    });
    r.autoScalingGroups.push({
      name: `${region}-web-asg`,
      min: 1,
      max: 8,
      desired: first.length,
      subnets,
      instances: first,
      targetGroups: [`${region}-web`],
      created,
      tags: { env: 'prod' },
    });
    r.databases.push({
      id: `${region}-orders`,
      engine: 'postgres',
      version: '16.3',
      klass: 'db.m6g.large',
      status: 'available',
      storageGb: 100,
      az: `${region}a`,
      multiAz: true,
      vpc,
      subnets,
      securityGroups: [sg],
      address: `${region}-orders.abc.${region}.rds.amazonaws.com`,
      port: 5432,
      created,
      tags: { env: 'prod' },
    });
    r.functions.push({
      name: `${region}-thumbnailer`,
      runtime: 'nodejs20.x',
      memoryMb: 512,
      timeout: 30,
      handler: 'index.handler',
      vpc,
      subnets,
      securityGroups: [sg],
      lastModified: '2025-01-15T08:30:00.000+0000',
      tags: { env: 'prod' },
    });
    r.clusters.push({
      name: `${region}-platform`,
      version: '1.30',
      status: 'ACTIVE',
      vpc,
      subnets,
      securityGroup: sg,
      createdAt: created,
      tags: { env: 'prod' },
    });
    aws.buckets.push({ name: `inventory-${region}-assets`, region, created, tags: { env: 'prod' } });
  }
}
