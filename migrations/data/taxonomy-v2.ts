/**
 * Taxonomy additions of the AWS, Kubernetes and file collectors (issue 16), frozen as of
 * migration 1765600000000: the `namespace` resource type, and vendor-type mappings from
 * each vendor's own type names — AWS CloudFormation resource types, Azure Resource
 * Manager types, Google Cloud Asset Inventory types, OpenStack Heat resource types,
 * Kubernetes and OpenShift kinds, and the product families network and storage vendors
 * name their devices and objects by. Later changes get their own migration.
 */

export const RESOURCE_TYPES_V2: {
  slug: string;
  name: string;
  category: string;
  isCountable: boolean;
  sortOrder: number;
}[] = [
  // Kubernetes namespaces and OpenShift projects: scopes of workloads, not workloads.
  {
    slug: 'namespace',
    name: 'Namespace / Project',
    category: 'containers',
    isCountable: false,
    sortOrder: 10,
  },
];

/** [vendor, the vendor's type name, canonical type slug, Ansible collection] */
type Row = [string, string, string, string];

const aws = (type: string, slug: string): Row => [`aws`, `AWS::${type}`, slug, 'amazon.aws'];
const azure = (type: string, slug: string): Row => ['azure', `Microsoft.${type}`, slug, 'azure.azcollection'];
const gcp = (type: string, slug: string): Row => ['gcp', `${type}`, slug, 'google.cloud'];
const openstack = (type: string, slug: string): Row => ['openstack', `OS::${type}`, slug, 'openstack.cloud'];
const k8s = (kind: string, slug: string): Row => ['kubernetes', kind, slug, 'kubernetes.core'];
const openshift = (kind: string, slug: string): Row => ['kubernetes', kind, slug, 'redhat.openshift'];

const ROWS: Row[] = [
  // AWS (CloudFormation resource type names), beyond the 28 of taxonomy-v1.
  aws('EC2::VPCEndpoint', 'gateway'),
  aws('EC2::CustomerGateway', 'vpn'),
  aws('EC2::ClientVpnEndpoint', 'vpn'),
  aws('EC2::RouteTable', 'router'),
  aws('ElasticLoadBalancingV2::TargetGroup', 'load_balancer'),
  aws('GlobalAccelerator::Accelerator', 'load_balancer'),
  aws('NetworkFirewall::Firewall', 'firewall'),
  aws('WAFv2::WebACL', 'firewall_policy'),
  aws('Route53Resolver::ResolverEndpoint', 'dns_service'),
  aws('RDS::DBCluster', 'relational_db'),
  aws('DynamoDB::GlobalTable', 'nosql_db'),
  aws('DocDB::DBCluster', 'nosql_db'),
  aws('Neptune::DBCluster', 'nosql_db'),
  aws('Keyspaces::Table', 'nosql_db'),
  aws('ElastiCache::CacheCluster', 'in_memory_db'),
  aws('ElastiCache::ReplicationGroup', 'in_memory_db'),
  aws('MemoryDB::Cluster', 'in_memory_db'),
  aws('Timestream::Database', 'time_series_db'),
  aws('Redshift::Cluster', 'data_warehouse'),
  aws('FSx::FileSystem', 'file_storage'),
  aws('Backup::BackupVault', 'archive_storage'),
  aws('SQS::Queue', 'message_queue'),
  aws('AmazonMQ::Broker', 'message_queue'),
  aws('SNS::Topic', 'pubsub'),
  aws('Kinesis::Stream', 'event_stream'),
  aws('MSK::Cluster', 'event_stream'),
  aws('Events::EventBus', 'event_stream'),
  aws('KinesisFirehose::DeliveryStream', 'stream_processing'),
  aws('StepFunctions::StateMachine', 'workflow_orchestration'),
  aws('ApiGateway::RestApi', 'api_endpoint'),
  aws('ApiGatewayV2::Api', 'api_endpoint'),
  aws('CloudFormation::Stack', 'orchestration_stack'),
  aws('Glue::Job', 'batch_processing'),
  aws('EMR::Cluster', 'batch_processing'),
  aws('Batch::ComputeEnvironment', 'batch_processing'),
  aws('SageMaker::NotebookInstance', 'ml_platform'),
  aws('SageMaker::Endpoint', 'model_hosting'),
  aws('CodePipeline::Pipeline', 'cicd_pipeline'),
  aws('CodeBuild::Project', 'cicd_pipeline'),
  aws('CodeCommit::Repository', 'code_repo'),
  aws('CodeArtifact::Repository', 'artifact_repo'),
  aws('SecretsManager::Secret', 'secrets_management'),
  aws('CertificateManager::Certificate', 'certificate_management'),
  aws('IAM::User', 'iam'),
  aws('Cognito::UserPool', 'iam'),
  aws('Logs::LogGroup', 'logs_metrics'),
  aws('CloudWatch::Alarm', 'logs_metrics'),
  aws('CloudTrail::Trail', 'audit_trail'),
  aws('GuardDuty::Detector', 'threat_detection'),
  aws('SecurityHub::Hub', 'cspm'),
  aws('Config::ConfigRule', 'cspm'),
  aws('SSM::PatchBaseline', 'patch_management'),
  aws('ECS::Service', 'paas_instance'),
  aws('AppRunner::Service', 'paas_instance'),
  aws('ElasticBeanstalk::Environment', 'paas_instance'),
  aws('Lightsail::Instance', 'virtual_machine'),
  aws('DMS::ReplicationInstance', 'db_migration_service'),
  aws('DataSync::Task', 'data_migration_tool'),

  // Kubernetes kinds, beyond the 16 of taxonomy-v1; OpenShift's own kinds come through the same API.
  k8s('Namespace', 'namespace'),
  k8s('IngressClass', 'gateway'),
  k8s('Gateway', 'gateway'),
  k8s('HTTPRoute', 'api_endpoint'),
  k8s('ServiceAccount', 'iam'),
  k8s('Role', 'iam'),
  k8s('ClusterRole', 'iam'),
  k8s('StorageClass', 'block_storage'),
  k8s('VolumeSnapshot', 'archive_storage'),
  k8s('ReplicationController', 'paas_instance'),
  openshift('Project', 'namespace'),
  openshift('Route', 'gateway'),
  openshift('DeploymentConfig', 'paas_instance'),
  openshift('BuildConfig', 'cicd_pipeline'),
  openshift('ImageStream', 'container_registry'),
  openshift('Machine', 'virtual_machine'),
  openshift('MachineSet', 'auto_scaling_group'),
  openshift('VirtualMachine', 'virtual_machine'),

  // Azure Resource Manager types.
  azure('Compute/virtualMachines', 'virtual_machine'),
  azure('Compute/virtualMachineScaleSets', 'auto_scaling_group'),
  azure('Compute/disks', 'block_storage'),
  azure('Compute/snapshots', 'archive_storage'),
  azure('Compute/hostGroups/hosts', 'physical_server'),
  azure('Storage/storageAccounts', 'object_storage'),
  azure('Storage/storageAccounts/fileServices/shares', 'file_storage'),
  azure('Network/virtualNetworks', 'vpc'),
  azure('Network/virtualNetworks/subnets', 'subnet'),
  azure('Network/networkSecurityGroups', 'security_group'),
  azure('Network/loadBalancers', 'load_balancer'),
  azure('Network/applicationGateways', 'load_balancer'),
  azure('Network/azureFirewalls', 'firewall'),
  azure('Network/virtualNetworkGateways', 'vpn'),
  azure('Network/natGateways', 'gateway'),
  azure('Network/dnsZones', 'dns_service'),
  azure('Network/expressRouteCircuits', 'dedicated_connection'),
  azure('Cdn/profiles', 'cdn'),
  azure('Sql/servers/databases', 'relational_db'),
  azure('DBforPostgreSQL/flexibleServers', 'relational_db'),
  azure('DBforMySQL/flexibleServers', 'relational_db'),
  azure('DocumentDB/databaseAccounts', 'nosql_db'),
  azure('Cache/Redis', 'in_memory_db'),
  azure('Synapse/workspaces', 'data_warehouse'),
  azure('ContainerService/managedClusters', 'container_orchestration_platform'),
  azure('ContainerInstance/containerGroups', 'container'),
  azure('ContainerRegistry/registries', 'container_registry'),
  azure('Web/sites', 'paas_instance'),
  azure('Web/sites/functions', 'serverless_function'),
  azure('KeyVault/vaults', 'secrets_management'),
  azure('ServiceBus/namespaces', 'message_queue'),
  azure('EventHub/namespaces', 'event_stream'),
  azure('Logic/workflows', 'workflow_orchestration'),
  azure('OperationalInsights/workspaces', 'logs_metrics'),

  // Google Cloud (Cloud Asset Inventory asset types).
  gcp('compute.googleapis.com/Instance', 'virtual_machine'),
  gcp('compute.googleapis.com/InstanceGroupManager', 'auto_scaling_group'),
  gcp('compute.googleapis.com/Disk', 'block_storage'),
  gcp('compute.googleapis.com/Snapshot', 'archive_storage'),
  gcp('compute.googleapis.com/Network', 'vpc'),
  gcp('compute.googleapis.com/Subnetwork', 'subnet'),
  gcp('compute.googleapis.com/Firewall', 'security_group'),
  gcp('compute.googleapis.com/ForwardingRule', 'load_balancer'),
  gcp('compute.googleapis.com/BackendService', 'load_balancer'),
  gcp('compute.googleapis.com/Router', 'router'),
  gcp('compute.googleapis.com/VpnGateway', 'vpn'),
  gcp('compute.googleapis.com/Interconnect', 'dedicated_connection'),
  gcp('dns.googleapis.com/ManagedZone', 'dns_service'),
  gcp('storage.googleapis.com/Bucket', 'object_storage'),
  gcp('file.googleapis.com/Instance', 'file_storage'),
  gcp('sqladmin.googleapis.com/Instance', 'relational_db'),
  gcp('spanner.googleapis.com/Instance', 'newsql_db'),
  gcp('bigtableadmin.googleapis.com/Instance', 'nosql_db'),
  gcp('firestore.googleapis.com/Database', 'nosql_db'),
  gcp('redis.googleapis.com/Instance', 'in_memory_db'),
  gcp('bigquery.googleapis.com/Dataset', 'data_warehouse'),
  gcp('container.googleapis.com/Cluster', 'container_orchestration_platform'),
  gcp('run.googleapis.com/Service', 'paas_instance'),
  gcp('cloudfunctions.googleapis.com/CloudFunction', 'serverless_function'),
  gcp('artifactregistry.googleapis.com/Repository', 'container_registry'),
  gcp('pubsub.googleapis.com/Topic', 'pubsub'),
  gcp('dataflow.googleapis.com/Job', 'stream_processing'),
  gcp('secretmanager.googleapis.com/Secret', 'secrets_management'),
  gcp('cloudkms.googleapis.com/CryptoKey', 'key_management'),
  gcp('aiplatform.googleapis.com/Endpoint', 'model_hosting'),

  // OpenStack (Heat resource types).
  openstack('Nova::Server', 'virtual_machine'),
  openstack('Cinder::Volume', 'block_storage'),
  openstack('Swift::Container', 'object_storage'),
  openstack('Manila::Share', 'file_storage'),
  openstack('Neutron::Net', 'vpc'),
  openstack('Neutron::Subnet', 'subnet'),
  openstack('Neutron::Router', 'router'),
  openstack('Neutron::SecurityGroup', 'security_group'),
  openstack('Neutron::FloatingIP', 'gateway'),
  openstack('Octavia::LoadBalancer', 'load_balancer'),
  openstack('Designate::Zone', 'dns_service'),
  openstack('Trove::Instance', 'relational_db'),
  openstack('Magnum::Cluster', 'container_orchestration_platform'),
  openstack('Zun::Container', 'container'),
  openstack('Barbican::Secret', 'secrets_management'),
  openstack('Heat::Stack', 'orchestration_stack'),
  openstack('Ironic::Node', 'bare_metal'),
  openstack('Senlin::Cluster', 'auto_scaling_group'),

  // Cisco product families.
  ['cisco', 'Catalyst Switch', 'switch', 'cisco.ios'],
  ['cisco', 'Nexus Switch', 'switch', 'cisco.nxos'],
  ['cisco', 'ISR Router', 'router', 'cisco.ios'],
  ['cisco', 'ASR Router', 'router', 'cisco.iosxr'],
  ['cisco', 'ASA Firewall', 'firewall', 'cisco.asa'],
  ['cisco', 'Firepower Threat Defense', 'firewall', 'cisco.fmcansible'],
  ['cisco', 'Wireless LAN Controller', 'sdn_controller', 'cisco.ios'],
  ['cisco', 'Catalyst Access Point', 'wireless_ap', 'cisco.ios'],
  ['cisco', 'Identity Services Engine', 'network_aaa', 'cisco.ise'],
  ['cisco', 'ACI APIC', 'sdn_controller', 'cisco.aci'],
  ['cisco', 'Catalyst Center', 'sdn_controller', 'cisco.dnac'],
  ['cisco', 'UCS Server', 'physical_server', 'cisco.ucs'],

  // Cisco Meraki (Dashboard API product types).
  ['meraki', 'appliance', 'firewall', 'cisco.meraki'],
  ['meraki', 'switch', 'switch', 'cisco.meraki'],
  ['meraki', 'wireless', 'wireless_ap', 'cisco.meraki'],
  ['meraki', 'cellularGateway', 'gateway', 'cisco.meraki'],
  ['meraki', 'sensor', 'network_monitor', 'cisco.meraki'],

  // Arista.
  ['arista', 'EOS Switch', 'switch', 'arista.eos'],
  ['arista', 'EOS Router', 'router', 'arista.eos'],
  ['arista', 'CloudVision', 'sdn_controller', 'arista.cvp'],

  // Juniper.
  ['juniper', 'EX Series', 'switch', 'junipernetworks.junos'],
  ['juniper', 'QFX Series', 'switch', 'junipernetworks.junos'],
  ['juniper', 'MX Series', 'router', 'junipernetworks.junos'],
  ['juniper', 'PTX Series', 'router', 'junipernetworks.junos'],
  ['juniper', 'SRX Series', 'firewall', 'junipernetworks.junos'],
  ['juniper', 'Mist Access Point', 'wireless_ap', 'juniper.mist'],
  ['juniper', 'Apstra', 'sdn_controller', 'junipernetworks.apstra'],
  ['juniper', 'Contrail', 'sdn_controller', 'junipernetworks.junos'],

  // NetApp (ONTAP objects, StorageGRID).
  ['netapp', 'Storage VM', 'file_storage', 'netapp.ontap'],
  ['netapp', 'Volume', 'file_storage', 'netapp.ontap'],
  ['netapp', 'LUN', 'block_storage', 'netapp.ontap'],
  ['netapp', 'Aggregate', 'block_storage', 'netapp.ontap'],
  ['netapp', 'Snapshot', 'archive_storage', 'netapp.ontap'],
  ['netapp', 'S3 Bucket', 'object_storage', 'netapp.ontap'],
  ['netapp', 'StorageGRID Bucket', 'object_storage', 'netapp.storagegrid'],

  // Dell Technologies (Dell EMC).
  ['dell', 'PowerEdge Server', 'physical_server', 'dellemc.openmanage'],
  ['dell', 'PowerStore Volume', 'block_storage', 'dellemc.powerstore'],
  ['dell', 'PowerMax Storage Group', 'block_storage', 'dellemc.powermax'],
  ['dell', 'PowerFlex Volume', 'block_storage', 'dellemc.powerflex'],
  ['dell', 'Unity LUN', 'block_storage', 'dellemc.unity'],
  ['dell', 'PowerScale File System', 'file_storage', 'dellemc.powerscale'],
  ['dell', 'ECS Bucket', 'object_storage', 'dellemc.ecs'],
  ['dell', 'PowerProtect Data Domain', 'archive_storage', 'dellemc.powerprotect'],
  ['dell', 'PowerSwitch', 'switch', 'dellemc.os10'],
  ['dell', 'VxRail Node', 'hypervisor_host', 'dellemc.vxrail'],

  // IBM storage.
  ['ibm', 'FlashSystem Volume', 'block_storage', 'ibm.storage_virtualize'],
  ['ibm', 'DS8000 Volume', 'block_storage', 'ibm.storage_virtualize'],
  ['ibm', 'Storage Scale File System', 'file_storage', 'ibm.spectrum_scale'],
  ['ibm', 'Cloud Object Storage Bucket', 'object_storage', 'ibm.cloudcollection'],
  ['ibm', 'Tape Library', 'archive_storage', 'ibm.storage_virtualize'],
];

export const VENDOR_TYPE_MAPPINGS_V2: {
  vendor: string;
  vendorResourceType: string;
  resourceType: string;
  ansibleCollection: string;
  description: string;
}[] = ROWS.map(([vendor, vendorResourceType, resourceType, ansibleCollection]) => ({
  vendor,
  vendorResourceType,
  resourceType,
  ansibleCollection,
  description: '',
}));
