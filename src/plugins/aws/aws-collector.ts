import type { CollectRecord, PluginContext, ResourceRecord } from '../plugin.contract.js';
import type { ResourceState } from '../../resources/resource.enums.js';
import { AwsError, type AwsSession } from './aws-session.js';

/**
 * What `aws:aws` collects, region by region: EC2 instances, EBS volumes, VPCs, subnets,
 * security groups, RDS instances, ELBv2 load balancers (and their targets), Lambda
 * functions, EKS clusters and Auto Scaling groups; S3 buckets once per account. Every
 * list goes through the SDK's paginator; vendor_type is the CloudFormation type name.
 */

type Tag = { Key?: string; Value?: string };
const tagsOf = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));
const nameOf = (tags: Record<string, string>, fallback: string) => tags.Name || fallback;
const edge = (
  source: string,
  target: string,
  type: 'member_of' | 'part_of' | 'attached_to' | 'routes_to',
): CollectRecord => ({
  kind: 'relationship',
  source,
  target,
  type,
});

const EC2_STATES: Record<string, ResourceState> = {
  pending: 'pending',
  running: 'running',
  stopping: 'stopped',
  stopped: 'stopped',
  'shutting-down': 'terminated',
  terminated: 'terminated',
};
const RDS_STATES: Record<string, ResourceState> = {
  available: 'running',
  'backing-up': 'running',
  modifying: 'running',
  rebooting: 'running',
  'storage-optimization': 'running',
  creating: 'pending',
  starting: 'pending',
  stopping: 'stopped',
  stopped: 'stopped',
  deleting: 'terminated',
  failed: 'error',
  'incompatible-parameters': 'error',
  maintenance: 'maintenance',
};
const VOLUME_STATES: Record<string, ResourceState> = {
  'in-use': 'active',
  available: 'active',
  creating: 'pending',
  deleting: 'terminated',
  deleted: 'terminated',
  error: 'error',
};

/** A lower-case UUID, or null for anything that is not one. */
export function smbiosUuid(value: string | undefined): string | null {
  const text = (value ?? '').trim().toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text) ? text : null;
}

export async function* collectAws(ctx: PluginContext, session: AwsSession): AsyncGenerator<CollectRecord> {
  const targets = ctx.options.target_resource_types;
  const wanted = (slug: string) => targets.length === 0 || targets.includes(slug);
  const failures: string[] = [];
  const attempt = async function* (label: string, work: () => AsyncGenerator<CollectRecord>) {
    try {
      yield* work();
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // A credentials problem is the same in every region: stop at once.
      if (error instanceof AwsError && /refused the credentials|have expired/.test(error.message))
        throw error;
      failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      ctx.logger.warn(`${label} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  if (wanted('object_storage')) yield* attempt('S3', () => buckets(session));
  for (const region of session.regions) {
    ctx.logger.info(`Collecting region ${region}`);
    yield* attempt(region, () => collectRegion(session, region, wanted));
  }
  if (failures.length)
    throw new AwsError(
      `${failures.length} of ${session.regions.length + (wanted('object_storage') ? 1 : 0)} parts of account ${session.accountId} failed (nothing was marked removed): ${failures.join('; ')}`,
    );
}

async function* collectRegion(
  session: AwsSession,
  region: string,
  wanted: (slug: string) => boolean,
): AsyncGenerator<CollectRecord> {
  const { sdk } = session;
  const config = session.config(region);
  const account = session.accountId;
  const common = { region, cloud_tenant: account };
  const ec2 = new sdk.ec2.EC2Client(config);
  const pages = <T>(what: string, iterate: () => AsyncIterable<T>) => session.pages(what, region, iterate);

  if (wanted('vpc')) {
    for await (const page of pages('EC2 DescribeVpcs', () =>
      sdk.ec2.paginateDescribeVpcs({ client: ec2, pageSize: 1000 }, {}),
    )) {
      for (const vpc of page.Vpcs ?? []) {
        const tags = tagsOf(vpc.Tags);
        yield {
          kind: 'resource',
          ems_ref: vpc.VpcId!,
          name: nameOf(tags, vpc.VpcId!),
          vendor_type: 'AWS::EC2::VPC',
          ...common,
          canonical_id: vpc.VpcId!,
          vendor_identifiers: { vpc_id: vpc.VpcId, account_id: account },
          state: vpc.State === 'available' ? 'active' : 'pending',
          power_state: null,
          properties: {
            cidr_block: vpc.CidrBlock ?? '',
            is_default: vpc.IsDefault ?? false,
            dhcp_options_id: vpc.DhcpOptionsId ?? '',
            instance_tenancy: vpc.InstanceTenancy ?? '',
          },
          provider_tags: tags,
        };
      }
    }
  }
  if (wanted('subnet')) {
    for await (const page of pages('EC2 DescribeSubnets', () =>
      sdk.ec2.paginateDescribeSubnets({ client: ec2, pageSize: 1000 }, {}),
    )) {
      for (const subnet of page.Subnets ?? []) {
        const tags = tagsOf(subnet.Tags);
        yield {
          kind: 'resource',
          ems_ref: subnet.SubnetId!,
          name: nameOf(tags, subnet.SubnetId!),
          vendor_type: 'AWS::EC2::Subnet',
          ...common,
          availability_zone: subnet.AvailabilityZone ?? '',
          canonical_id: subnet.SubnetId!,
          vendor_identifiers: {
            subnet_id: subnet.SubnetId,
            arn: subnet.SubnetArn ?? '',
            account_id: account,
          },
          state: subnet.State === 'available' ? 'active' : 'pending',
          power_state: null,
          properties: {
            cidr_block: subnet.CidrBlock ?? '',
            vpc_id: subnet.VpcId ?? '',
            available_ip_address_count: subnet.AvailableIpAddressCount ?? null,
            default_for_az: subnet.DefaultForAz ?? false,
            map_public_ip_on_launch: subnet.MapPublicIpOnLaunch ?? false,
          },
          provider_tags: tags,
        };
        if (subnet.VpcId && wanted('vpc')) yield edge(subnet.SubnetId!, subnet.VpcId, 'part_of');
      }
    }
  }
  if (wanted('security_group')) {
    for await (const page of pages('EC2 DescribeSecurityGroups', () =>
      sdk.ec2.paginateDescribeSecurityGroups({ client: ec2, pageSize: 1000 }, {}),
    )) {
      for (const sg of page.SecurityGroups ?? []) {
        yield {
          kind: 'resource',
          ems_ref: sg.GroupId!,
          name: sg.GroupName ?? sg.GroupId!,
          vendor_type: 'AWS::EC2::SecurityGroup',
          ...common,
          description: sg.Description ?? '',
          canonical_id: sg.GroupId!,
          vendor_identifiers: { group_id: sg.GroupId, account_id: account },
          state: 'active',
          power_state: null,
          properties: {
            vpc_id: sg.VpcId ?? '',
            ingress_rule_count: sg.IpPermissions?.length ?? 0,
            egress_rule_count: sg.IpPermissionsEgress?.length ?? 0,
          },
          provider_tags: tagsOf(sg.Tags),
        };
        if (sg.VpcId && wanted('vpc')) yield edge(sg.GroupId!, sg.VpcId, 'part_of');
      }
    }
  }
  if (wanted('virtual_machine')) {
    const uuidTag = session.settings.smbiosUuidTag;
    for await (const page of pages('EC2 DescribeInstances', () =>
      sdk.ec2.paginateDescribeInstances({ client: ec2, pageSize: 1000 }, {}),
    )) {
      for (const reservation of page.Reservations ?? []) {
        for (const inst of reservation.Instances ?? []) {
          const state = inst.State?.Name ?? '';
          // Terminated instances stay listed for about an hour: they are gone, so a full run removes them.
          if (state === 'terminated') continue;
          const id = inst.InstanceId!;
          const tags = tagsOf(inst.Tags);
          const enis = inst.NetworkInterfaces ?? [];
          const ips = [
            ...new Set(
              [inst.PrivateIpAddress, inst.PublicIpAddress, ...enis.map((n) => n.PrivateIpAddress)].filter(
                (ip): ip is string => Boolean(ip),
              ),
            ),
          ];
          const platform = inst.PlatformDetails || inst.Platform || '';
          const windows = /windows/i.test(platform);
          const uuid = uuidTag ? smbiosUuid(tags[uuidTag]) : null;
          const cores = inst.CpuOptions?.CoreCount;
          const record: ResourceRecord = {
            kind: 'resource',
            ems_ref: id,
            name: nameOf(tags, id),
            vendor_type: 'AWS::EC2::Instance',
            ...common,
            availability_zone: inst.Placement?.AvailabilityZone ?? '',
            // The SMBIOS UUID is what the host itself reports (and Kubernetes as the node's
            // systemUUID); the EC2 API does not expose it, so it comes from a tag when set.
            canonical_id: uuid ?? id,
            vendor_identifiers: {
              instance_id: id,
              image_id: inst.ImageId ?? '',
              network_interface_ids: enis.map((n) => n.NetworkInterfaceId).filter(Boolean),
              mac_addresses: [...new Set(enis.map((n) => n.MacAddress).filter(Boolean))],
              account_id: account,
              ...(uuid ? { smbios_uuid: uuid } : {}),
            },
            state: EC2_STATES[state] ?? 'unknown',
            power_state: state === 'running' ? 'poweredOn' : state === 'stopped' ? 'poweredOff' : 'unknown',
            flavor: inst.InstanceType ?? '',
            fqdn: inst.PrivateDnsName ?? '',
            ip_addresses: ips,
            os_type: windows ? 'windows' : 'linux',
            os_name: platform,
            cpu_count: cores !== undefined ? cores * (inst.CpuOptions?.ThreadsPerCore ?? 1) : null,
            boot_time: inst.LaunchTime ?? null,
            ems_created_on: inst.LaunchTime ?? null,
            properties: {
              instance_type: inst.InstanceType ?? '',
              image_id: inst.ImageId ?? '',
              vpc_id: inst.VpcId ?? '',
              subnet_id: inst.SubnetId ?? '',
              key_name: inst.KeyName ?? '',
              architecture: inst.Architecture ?? '',
              hypervisor: inst.Hypervisor ?? '',
              virtualization_type: inst.VirtualizationType ?? '',
              ebs_optimized: inst.EbsOptimized ?? false,
              ena_support: inst.EnaSupport ?? false,
              monitoring_state: inst.Monitoring?.State ?? '',
              security_groups: (inst.SecurityGroups ?? []).map((g) => g.GroupId),
              iam_instance_profile: inst.IamInstanceProfile?.Arn ?? '',
              public_dns_name: inst.PublicDnsName ?? '',
            },
            provider_tags: tags,
          };
          yield record;
          if (inst.SubnetId && wanted('subnet')) yield edge(id, inst.SubnetId, 'member_of');
          if (wanted('security_group'))
            for (const g of inst.SecurityGroups ?? []) if (g.GroupId) yield edge(id, g.GroupId, 'member_of');
        }
      }
    }
  }
  if (wanted('block_storage')) {
    for await (const page of pages('EC2 DescribeVolumes', () =>
      sdk.ec2.paginateDescribeVolumes({ client: ec2, pageSize: 500 }, {}),
    )) {
      for (const vol of page.Volumes ?? []) {
        const tags = tagsOf(vol.Tags);
        const attachment = vol.Attachments?.[0];
        yield {
          kind: 'resource',
          ems_ref: vol.VolumeId!,
          name: nameOf(tags, vol.VolumeId!),
          vendor_type: 'AWS::EC2::Volume',
          ...common,
          availability_zone: vol.AvailabilityZone ?? '',
          canonical_id: vol.VolumeId!,
          vendor_identifiers: { volume_id: vol.VolumeId, account_id: account },
          state: VOLUME_STATES[vol.State ?? ''] ?? 'unknown',
          power_state: null,
          disk_gb: vol.Size ?? null,
          ems_created_on: vol.CreateTime ?? null,
          properties: {
            volume_type: vol.VolumeType ?? '',
            iops: vol.Iops ?? null,
            throughput_mbps: vol.Throughput ?? null,
            encrypted: vol.Encrypted ?? false,
            kms_key_id: vol.KmsKeyId ?? '',
            snapshot_id: vol.SnapshotId ?? '',
            attached_instance: attachment?.InstanceId ?? '',
            device_name: attachment?.Device ?? '',
            multi_attach_enabled: vol.MultiAttachEnabled ?? false,
          },
          provider_tags: tags,
          metrics: { size_gb: vol.Size ?? 0 },
        };
        if (wanted('virtual_machine'))
          for (const a of vol.Attachments ?? [])
            if (a.InstanceId) yield edge(vol.VolumeId!, a.InstanceId, 'attached_to');
      }
    }
  }
  if (wanted('auto_scaling_group')) {
    const client = new sdk.autoscaling.AutoScalingClient(config);
    for await (const page of pages('Auto Scaling DescribeAutoScalingGroups', () =>
      sdk.autoscaling.paginateDescribeAutoScalingGroups({ client, pageSize: 100 }, {}),
    )) {
      for (const asg of page.AutoScalingGroups ?? []) {
        const ref = asg.AutoScalingGroupARN || asg.AutoScalingGroupName!;
        const template =
          asg.LaunchTemplate ?? asg.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
        yield {
          kind: 'resource',
          ems_ref: ref,
          name: asg.AutoScalingGroupName!,
          vendor_type: 'AWS::AutoScaling::AutoScalingGroup',
          ...common,
          canonical_id: ref,
          vendor_identifiers: {
            asg_name: asg.AutoScalingGroupName,
            arn: asg.AutoScalingGroupARN ?? '',
            account_id: account,
          },
          state: asg.Status ? 'pending' : 'active',
          power_state: null,
          ems_created_on: asg.CreatedTime ?? null,
          properties: {
            min_size: asg.MinSize ?? 0,
            max_size: asg.MaxSize ?? 0,
            desired_capacity: asg.DesiredCapacity ?? 0,
            current_instances: asg.Instances?.length ?? 0,
            launch_template: template
              ? {
                  id: template.LaunchTemplateId ?? '',
                  name: template.LaunchTemplateName ?? '',
                  version: template.Version ?? '',
                }
              : {},
            health_check_type: asg.HealthCheckType ?? '',
            availability_zones: asg.AvailabilityZones ?? [],
            subnet_ids: asg.VPCZoneIdentifier ? asg.VPCZoneIdentifier.split(',') : [],
            target_group_arns: asg.TargetGroupARNs ?? [],
          },
          provider_tags: tagsOf(asg.Tags),
          metrics: {
            desired_capacity: asg.DesiredCapacity ?? 0,
            current_instances: asg.Instances?.length ?? 0,
          },
        };
        if (wanted('virtual_machine'))
          for (const i of asg.Instances ?? []) if (i.InstanceId) yield edge(i.InstanceId, ref, 'member_of');
      }
    }
  }
  if (wanted('load_balancer')) yield* loadBalancers(session, region, wanted);
  if (wanted('relational_db')) {
    const client = new sdk.rds.RDSClient(config);
    for await (const page of pages('RDS DescribeDBInstances', () =>
      sdk.rds.paginateDescribeDBInstances({ client, pageSize: 100 }, {}),
    )) {
      for (const db of page.DBInstances ?? []) {
        const ref = db.DBInstanceArn || db.DBInstanceIdentifier!;
        const vpc = db.DBSubnetGroup?.VpcId ?? '';
        const groups = (db.VpcSecurityGroups ?? [])
          .map((g) => g.VpcSecurityGroupId)
          .filter((g): g is string => Boolean(g));
        yield {
          kind: 'resource',
          ems_ref: ref,
          name: db.DBInstanceIdentifier!,
          vendor_type: 'AWS::RDS::DBInstance',
          ...common,
          availability_zone: db.AvailabilityZone ?? '',
          canonical_id: ref,
          vendor_identifiers: {
            db_instance_id: db.DBInstanceIdentifier,
            arn: db.DBInstanceArn ?? '',
            account_id: account,
          },
          state: RDS_STATES[db.DBInstanceStatus ?? ''] ?? 'unknown',
          power_state: null,
          flavor: db.DBInstanceClass ?? '',
          disk_gb: db.AllocatedStorage ?? null,
          fqdn: db.Endpoint?.Address ?? '',
          ems_created_on: db.InstanceCreateTime ?? null,
          properties: {
            engine: db.Engine ?? '',
            engine_version: db.EngineVersion ?? '',
            db_instance_class: db.DBInstanceClass ?? '',
            multi_az: db.MultiAZ ?? false,
            storage_type: db.StorageType ?? '',
            storage_encrypted: db.StorageEncrypted ?? false,
            port: db.Endpoint?.Port ?? null,
            vpc_id: vpc,
            publicly_accessible: db.PubliclyAccessible ?? false,
            backup_retention_days: db.BackupRetentionPeriod ?? 0,
            security_groups: groups,
          },
          provider_tags: tagsOf(db.TagList),
          metrics: { allocated_storage_gb: db.AllocatedStorage ?? 0 },
        };
        if (wanted('subnet'))
          for (const s of db.DBSubnetGroup?.Subnets ?? [])
            if (s.SubnetIdentifier) yield edge(ref, s.SubnetIdentifier, 'member_of');
        if (wanted('security_group')) for (const g of groups) yield edge(ref, g, 'member_of');
      }
    }
  }
  if (wanted('serverless_function')) {
    const client = new sdk.lambda.LambdaClient(config);
    for await (const page of pages('Lambda ListFunctions', () =>
      sdk.lambda.paginateListFunctions({ client, pageSize: 50 }, {}),
    )) {
      for (const fn of page.Functions ?? []) {
        const arn = fn.FunctionArn!;
        const tags = await session.call('Lambda ListTags', region, (abortSignal) =>
          client.send(new sdk.lambda.ListTagsCommand({ Resource: arn }), { abortSignal }),
        );
        const vpc = fn.VpcConfig?.VpcId ?? '';
        yield {
          kind: 'resource',
          ems_ref: arn,
          name: fn.FunctionName!,
          vendor_type: 'AWS::Lambda::Function',
          ...common,
          canonical_id: arn,
          vendor_identifiers: { function_name: fn.FunctionName, arn, account_id: account },
          state: fn.State === 'Failed' ? 'error' : fn.State === 'Pending' ? 'pending' : 'active',
          power_state: null,
          memory_mb: fn.MemorySize ?? null,
          properties: {
            runtime: fn.Runtime ?? '',
            handler: fn.Handler ?? '',
            code_size_bytes: fn.CodeSize ?? 0,
            timeout_seconds: fn.Timeout ?? 0,
            architectures: fn.Architectures ?? [],
            package_type: fn.PackageType ?? '',
            role: fn.Role ?? '',
            vpc_id: vpc,
            last_modified: fn.LastModified ?? '',
          },
          provider_tags: tags.Tags ?? {},
        };
        if (vpc && wanted('vpc')) yield edge(arn, vpc, 'part_of');
      }
    }
  }
  if (wanted('container_orchestration_platform')) {
    const client = new sdk.eks.EKSClient(config);
    for await (const page of pages('EKS ListClusters', () =>
      sdk.eks.paginateListClusters({ client, pageSize: 100 }, {}),
    )) {
      for (const name of page.clusters ?? []) {
        const { cluster } = await session.call('EKS DescribeCluster', region, (abortSignal) =>
          client.send(new sdk.eks.DescribeClusterCommand({ name }), { abortSignal }),
        );
        if (!cluster) continue;
        const ref = cluster.arn || name;
        const vpc = cluster.resourcesVpcConfig?.vpcId ?? '';
        const status = cluster.status ?? '';
        yield {
          kind: 'resource',
          ems_ref: ref,
          name,
          vendor_type: 'AWS::EKS::Cluster',
          ...common,
          canonical_id: ref,
          vendor_identifiers: { cluster_name: name, arn: cluster.arn ?? '', account_id: account },
          state:
            status === 'ACTIVE' || status === 'UPDATING'
              ? 'running'
              : status === 'CREATING' || status === 'PENDING'
                ? 'pending'
                : status === 'DELETING'
                  ? 'terminated'
                  : status === 'FAILED'
                    ? 'error'
                    : 'unknown',
          power_state: null,
          fqdn: (cluster.endpoint ?? '').replace(/^https:\/\//, ''),
          ems_created_on: cluster.createdAt ?? null,
          properties: {
            kubernetes_version: cluster.version ?? '',
            platform_version: cluster.platformVersion ?? '',
            endpoint: cluster.endpoint ?? '',
            role_arn: cluster.roleArn ?? '',
            vpc_id: vpc,
            endpoint_public_access: cluster.resourcesVpcConfig?.endpointPublicAccess ?? false,
            endpoint_private_access: cluster.resourcesVpcConfig?.endpointPrivateAccess ?? false,
          },
          provider_tags: cluster.tags ?? {},
        };
        if (vpc && wanted('vpc')) yield edge(ref, vpc, 'part_of');
      }
    }
  }
}

async function* loadBalancers(
  session: AwsSession,
  region: string,
  wanted: (slug: string) => boolean,
): AsyncGenerator<CollectRecord> {
  const { sdk } = session;
  const client = new sdk.elbv2.ElasticLoadBalancingV2Client(session.config(region));
  const account = session.accountId;
  for await (const page of session.pages('ELBv2 DescribeLoadBalancers', region, () =>
    sdk.elbv2.paginateDescribeLoadBalancers({ client, pageSize: 400 }, {}),
  )) {
    const balancers = page.LoadBalancers ?? [];
    // Tags: DescribeTags takes at most 20 ARNs per call.
    const tags = new Map<string, Record<string, string>>();
    const arns = balancers.map((lb) => lb.LoadBalancerArn!).filter(Boolean);
    for (let i = 0; i < arns.length; i += 20) {
      const answer = await session.call('ELBv2 DescribeTags', region, (abortSignal) =>
        client.send(new sdk.elbv2.DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }), {
          abortSignal,
        }),
      );
      for (const d of answer.TagDescriptions ?? [])
        if (d.ResourceArn) tags.set(d.ResourceArn, tagsOf(d.Tags));
    }
    for (const lb of balancers) {
      const arn = lb.LoadBalancerArn!;
      const code = lb.State?.Code ?? '';
      yield {
        kind: 'resource',
        ems_ref: arn,
        name: lb.LoadBalancerName ?? arn,
        vendor_type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        region,
        cloud_tenant: account,
        canonical_id: arn,
        vendor_identifiers: { arn, dns_name: lb.DNSName ?? '', account_id: account },
        state:
          code === 'active' || code === 'active_impaired'
            ? 'active'
            : code === 'provisioning'
              ? 'pending'
              : code === 'failed'
                ? 'error'
                : 'unknown',
        power_state: null,
        fqdn: lb.DNSName ?? '',
        ems_created_on: lb.CreatedTime ?? null,
        properties: {
          type: lb.Type ?? '',
          scheme: lb.Scheme ?? '',
          vpc_id: lb.VpcId ?? '',
          availability_zones: (lb.AvailabilityZones ?? []).map((z) => z.ZoneName ?? ''),
          security_groups: lb.SecurityGroups ?? [],
          ip_address_type: lb.IpAddressType ?? '',
          state: code,
        },
        provider_tags: tags.get(arn) ?? {},
      };
      if (lb.VpcId && wanted('vpc'))
        yield { kind: 'relationship', source: arn, target: lb.VpcId, type: 'part_of' };
    }
  }
  if (!wanted('virtual_machine')) return;
  // routes_to: load balancer → the instances registered in its target groups.
  for await (const page of session.pages('ELBv2 DescribeTargetGroups', region, () =>
    sdk.elbv2.paginateDescribeTargetGroups({ client, pageSize: 400 }, {}),
  )) {
    for (const group of page.TargetGroups ?? []) {
      if (group.TargetType && group.TargetType !== 'instance') continue;
      if (!group.LoadBalancerArns?.length) continue;
      const health = await session.call('ELBv2 DescribeTargetHealth', region, (abortSignal) =>
        client.send(new sdk.elbv2.DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }), {
          abortSignal,
        }),
      );
      for (const target of health.TargetHealthDescriptions ?? []) {
        const id = target.Target?.Id;
        if (!id) continue;
        for (const lb of group.LoadBalancerArns)
          yield { kind: 'relationship', source: lb, target: id, type: 'routes_to' };
      }
    }
  }
}

async function* buckets(session: AwsSession): AsyncGenerator<CollectRecord> {
  const { sdk } = session;
  const region = session.settings.primaryRegion;
  const client = new sdk.s3.S3Client({
    ...session.config(region),
    forcePathStyle: Boolean(session.settings.endpointUrl),
    followRegionRedirects: true,
  });
  const regions = new Set(session.regions);
  for await (const page of session.pages('S3 ListBuckets', region, () =>
    sdk.s3.paginateListBuckets({ client, pageSize: 1000 }, {}),
  ))
    for (const bucket of page.Buckets ?? []) {
      const name = bucket.Name!;
      let bucketRegion = bucket.BucketRegion ?? '';
      if (!bucketRegion) {
        const location = await session.call('S3 GetBucketLocation', region, (abortSignal) =>
          client.send(new sdk.s3.GetBucketLocationCommand({ Bucket: name }), { abortSignal }),
        );
        bucketRegion = location.LocationConstraint || 'us-east-1';
      }
      // Buckets are listed per account: keep those of the regions this provider collects.
      if (!regions.has(bucketRegion)) continue;
      const tags = await session
        .call('S3 GetBucketTagging', bucketRegion, (abortSignal) =>
          client.send(new sdk.s3.GetBucketTaggingCommand({ Bucket: name }), { abortSignal }),
        )
        .then(
          (answer) => tagsOf(answer.TagSet),
          (error: Error) => {
            if (/NoSuchTagSet/.test(error.message)) return {};
            throw error;
          },
        );
      const arn = `arn:aws:s3:::${name}`;
      yield {
        kind: 'resource',
        ems_ref: arn,
        name,
        vendor_type: 'AWS::S3::Bucket',
        region: bucketRegion,
        cloud_tenant: session.accountId,
        canonical_id: arn,
        vendor_identifiers: { bucket_name: name, arn, account_id: session.accountId },
        state: 'active',
        power_state: null,
        ems_created_on: bucket.CreationDate ?? null,
        properties: { arn },
        provider_tags: tags,
      };
    }
}
