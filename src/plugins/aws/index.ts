import type { ProviderPlugin } from '../plugin.contract.js';
import { collectAws } from './aws-collector.js';
import { AwsSession } from './aws-session.js';

/**
 * `aws:aws`: an AWS account through the official SDK for JavaScript v3, across regions.
 * Connection parameters are the original plugin's (access_key_id, secret_access_key,
 * session_token, region, regions, assume_role_arn, external_id) plus endpoint_url for
 * AWS-compatible clouds and tests, and the timeout, retry and identity settings.
 */
export const awsPlugin: ProviderPlugin = {
  manifest: {
    vendor: 'aws',
    provider_type: 'aws',
    version: '1.0.0',
    display_name: 'Amazon Web Services',
    description:
      'EC2 instances, EBS volumes, VPCs, subnets, security groups, S3 buckets, RDS instances, ELBv2 load balancers, Lambda functions, EKS clusters and Auto Scaling groups of one account across regions (AWS SDK for JavaScript v3), with member_of, part_of, attached_to and routes_to relationships; provider tags are the AWS tags.',
    infrastructure: 'public_cloud',
    supported_resource_types: [
      'virtual_machine',
      'block_storage',
      'vpc',
      'subnet',
      'security_group',
      'object_storage',
      'relational_db',
      'load_balancer',
      'serverless_function',
      'container_orchestration_platform',
      'auto_scaling_group',
    ],
    connection_parameters: [
      {
        name: 'access_key_id',
        type: 'string',
        required: true,
        secret: false,
        description: 'AWS access key ID.',
      },
      {
        name: 'secret_access_key',
        type: 'string',
        required: true,
        secret: true,
        description: 'AWS secret access key.',
      },
      {
        name: 'session_token',
        type: 'string',
        required: false,
        secret: true,
        description: 'Session token of temporary credentials.',
      },
      {
        name: 'region',
        type: 'string',
        required: false,
        secret: false,
        description:
          'Primary region (STS, S3 listing); collected alone when `regions` is not set. Default us-east-1.',
      },
      {
        name: 'regions',
        type: 'list',
        required: false,
        secret: false,
        description: 'Regions to collect. Neither this nor `region`: every region enabled for the account.',
      },
      {
        name: 'assume_role_arn',
        type: 'string',
        required: false,
        secret: false,
        description: 'IAM role to assume (STS AssumeRole) for cross-account collection.',
      },
      {
        name: 'external_id',
        type: 'string',
        required: false,
        secret: false,
        description: 'External ID for AssumeRole.',
      },
      {
        name: 'endpoint_url',
        type: 'string',
        required: false,
        secret: false,
        description:
          'One endpoint for every service instead of AWS (AWS-compatible clouds, LocalStack, tests).',
      },
      {
        name: 'allow_http',
        type: 'boolean',
        required: false,
        secret: false,
        default: false,
        description:
          'Accept a plain http:// endpoint_url (signed requests then travel unencrypted): test endpoints only.',
      },
      {
        name: 'smbios_uuid_tag',
        type: 'string',
        required: false,
        secret: false,
        default: 'smbios_uuid',
        description:
          "Instance tag holding the instance's SMBIOS UUID (its canonical_id, as the host and Kubernetes report it); without it the instance id.",
      },
      {
        name: 'timeout_seconds',
        type: 'integer',
        required: false,
        secret: false,
        default: 30,
        description: 'How long to wait for each API call.',
      },
      {
        name: 'max_attempts',
        type: 'integer',
        required: false,
        secret: false,
        default: 5,
        description: 'Attempts per call; throttled and transient failures are retried with backoff.',
      },
    ],
    requires_endpoint: false,
  },
  async validateConnection(ctx) {
    try {
      const session = await AwsSession.open(ctx, { listRegions: false });
      return {
        ok: true,
        message: `Connected to AWS account ${session.accountId} as ${session.callerArn}; regions ${session.regions.join(', ')}.`,
      };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  },
  async *collect(ctx) {
    const session = await AwsSession.open(ctx, { listRegions: true });
    ctx.logger.info(
      `AWS account ${session.accountId}: ${session.regions.length} region(s) ${session.regions.join(', ')}`,
    );
    yield* collectAws(ctx, session);
  },
};
