import { asString, asStringList } from '../connection-parameters.js';
import type { PluginContext } from '../plugin.contract.js';

interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A failure talking to AWS, with a message fit for the run's error_message (no secrets). */
export class AwsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsError';
  }
}

/**
 * The SDK clients, loaded on first use: the eight packages take about a second to import,
 * which a service that never collects AWS should not pay at start-up.
 */
export async function loadSdk() {
  const [ec2, sts, s3, rds, elbv2, lambda, eks, autoscaling] = await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-sts'),
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/client-rds'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
    import('@aws-sdk/client-lambda'),
    import('@aws-sdk/client-eks'),
    import('@aws-sdk/client-auto-scaling'),
  ]);
  return { ec2, sts, s3, rds, elbv2, lambda, eks, autoscaling };
}
export type AwsSdk = Awaited<ReturnType<typeof loadSdk>>;

export interface AwsSettings {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  primaryRegion: string;
  regions: string[];
  assumeRoleArn: string;
  externalId: string;
  endpointUrl: string;
  timeoutMs: number;
  maxAttempts: number;
  smbiosUuidTag: string;
}

export function awsSettings(ctx: PluginContext): AwsSettings {
  const c = ctx.config;
  const endpointUrl = asString(c.endpoint_url).trim();
  if (endpointUrl) {
    let url: URL;
    try {
      url = new URL(endpointUrl);
    } catch {
      throw new AwsError(`endpoint_url "${endpointUrl}" is not a URL.`);
    }
    if (url.protocol === 'http:' && c.allow_http !== true)
      throw new AwsError(
        'Refusing to send AWS-signed requests over plain http:// (set allow_http to allow it, for test endpoints only).',
      );
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new AwsError(`endpoint_url must be an https:// URL, not ${url.protocol}.`);
  }
  const region = asString(c.region).trim();
  return {
    accessKeyId: asString(c.access_key_id).trim(),
    secretAccessKey: asString(c.secret_access_key),
    sessionToken: asString(c.session_token),
    primaryRegion: region || 'us-east-1',
    regions: asStringList(c.regions).length ? asStringList(c.regions) : region ? [region] : [],
    assumeRoleArn: asString(c.assume_role_arn).trim(),
    externalId: asString(c.external_id).trim(),
    endpointUrl,
    timeoutMs: Math.max(1, Number(c.timeout_seconds ?? 30)) * 1000,
    maxAttempts: Math.max(1, Number(c.max_attempts ?? 5)),
    smbiosUuidTag: asString(c.smbios_uuid_tag, 'smbios_uuid').trim(),
  };
}

/** What every client of one account gets: credentials, endpoint, retries with backoff, a timeout per call. */
export interface ClientConfig {
  region: string;
  credentials: AwsCredentialIdentity;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'standard';
  requestHandler: { requestTimeout: number; connectionTimeout: number };
}

/** An authenticated view of one account: credentials (after AssumeRole), its id and the regions to collect. */
export class AwsSession {
  private constructor(
    readonly sdk: AwsSdk,
    readonly settings: AwsSettings,
    private readonly credentials: AwsCredentialIdentity,
    readonly accountId: string,
    readonly callerArn: string,
    readonly regions: string[],
    private readonly signal: AbortSignal,
  ) {}

  static async open(ctx: PluginContext, options: { listRegions: boolean }): Promise<AwsSession> {
    const settings = awsSettings(ctx);
    if (!settings.accessKeyId || !settings.secretAccessKey)
      throw new AwsError('access_key_id and secret_access_key are required.');
    const sdk = await loadSdk();
    let credentials: AwsCredentialIdentity = {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
    };
    const base = (region: string, creds: AwsCredentialIdentity) => clientConfig(settings, region, creds);
    const call = <T>(what: string, region: string, work: () => Promise<T>) =>
      callAws(what, region, settings, work);
    if (settings.assumeRoleArn) {
      const sts = new sdk.sts.STSClient(base(settings.primaryRegion, credentials));
      const assumed = await call('STS AssumeRole', settings.primaryRegion, () =>
        sts.send(
          new sdk.sts.AssumeRoleCommand({
            RoleArn: settings.assumeRoleArn,
            RoleSessionName: 'inventory-collection',
            ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
          }),
          { abortSignal: ctx.signal },
        ),
      );
      const c = assumed.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new AwsError(`STS AssumeRole of ${settings.assumeRoleArn} returned no credentials.`);
      credentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      };
    }
    const sts = new sdk.sts.STSClient(base(settings.primaryRegion, credentials));
    const identity = await call('STS GetCallerIdentity', settings.primaryRegion, () =>
      sts.send(new sdk.sts.GetCallerIdentityCommand({}), { abortSignal: ctx.signal }),
    );
    let regions = settings.regions;
    if (!regions.length && options.listRegions) {
      const ec2 = new sdk.ec2.EC2Client(base(settings.primaryRegion, credentials));
      const answer = await call('EC2 DescribeRegions', settings.primaryRegion, () =>
        ec2.send(
          new sdk.ec2.DescribeRegionsCommand({
            Filters: [{ Name: 'opt-in-status', Values: ['opt-in-not-required', 'opted-in'] }],
          }),
          { abortSignal: ctx.signal },
        ),
      );
      regions = (answer.Regions ?? []).map((r) => r.RegionName ?? '').filter(Boolean);
    }
    return new AwsSession(
      sdk,
      settings,
      credentials,
      identity.Account ?? '',
      identity.Arn ?? '',
      regions.length ? regions : [settings.primaryRegion],
      ctx.signal,
    );
  }

  config(region: string): ClientConfig {
    return clientConfig(this.settings, region, this.credentials);
  }

  /** The pages of one SDK paginator, its failure turned into an AwsError (a page at a time: memory stays bounded). */
  async *pages<T>(what: string, region: string, iterate: () => AsyncIterable<T>): AsyncGenerator<T> {
    try {
      for await (const page of iterate()) yield page;
    } catch (error) {
      throw describeAwsError(error, what, region, this.settings);
    }
  }

  /** Runs one AWS call (retried by the SDK on throttling), turning its failure into an AwsError. */
  call<T>(what: string, region: string, work: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return callAws(what, region, this.settings, () => work(this.signal));
  }
}

function clientConfig(
  settings: AwsSettings,
  region: string,
  credentials: AwsCredentialIdentity,
): ClientConfig {
  return {
    region,
    credentials,
    ...(settings.endpointUrl ? { endpoint: settings.endpointUrl } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: { requestTimeout: settings.timeoutMs, connectionTimeout: settings.timeoutMs },
  };
}

const CREDENTIAL_ERRORS = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
]);
const EXPIRED_ERRORS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);

async function callAws<T>(
  what: string,
  region: string,
  settings: AwsSettings,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeAwsError(error, what, region, settings);
  }
}

/** A message naming the call, the region and AWS's error code (never the secret or the session token). */
export function describeAwsError(
  error: unknown,
  what: string,
  region: string,
  settings: AwsSettings,
): AwsError {
  if (error instanceof AwsError) return error;
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const code = e.name ?? 'Error';
  const message = (e.message ?? String(error)).replace(settings.secretAccessKey || '\0', '***');
  if (CREDENTIAL_ERRORS.has(code))
    return new AwsError(
      `AWS refused the credentials of access key ${settings.accessKeyId} (${code} on ${what} in ${region}).`,
    );
  if (EXPIRED_ERRORS.has(code))
    return new AwsError(
      `The AWS credentials have expired (${code} on ${what} in ${region}); give a new session_token, or use long-lived keys or assume_role_arn.`,
    );
  if (code === 'AbortError') return new AwsError('Collection canceled.');
  if (code === 'TimeoutError' || /timed? ?out/i.test(message))
    return new AwsError(`AWS did not answer ${what} in ${region} within ${settings.timeoutMs / 1000}s.`);
  const network = e.code ?? /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET/.exec(message)?.[0];
  if (network && /^E[A-Z]+$/.test(network))
    return new AwsError(`Cannot reach AWS for ${what} in ${region}: ${network}.`);
  return new AwsError(`${what} in ${region} failed: ${code}: ${message}`);
}
