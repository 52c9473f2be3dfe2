import { asString } from '../connection-parameters.js';
import type { PluginContext, ProviderPlugin } from '../plugin.contract.js';
import { labRecords } from './lab-topology.js';

function labOptions(ctx: PluginContext) {
  return {
    scale: Number(ctx.config.scale ?? 0),
    seed: Number(ctx.config.seed ?? 42),
    datacenter: asString(ctx.config.datacenter, 'Lab-DC1'),
  };
}

/** `vmware:vcenter-lab`: a simulated vSphere lab for demos, tests and benchmarks (no network). */
export const vcenterLabPlugin: ProviderPlugin = {
  manifest: {
    vendor: 'vmware',
    provider_type: 'vcenter-lab',
    version: '1.0.0',
    display_name: 'VMware vCenter (simulated lab)',
    description:
      "A deterministic simulated vSphere lab, the original inventory service's seed lab: 2 clusters, 4 ESXi hosts, 3 resource pools, 4 datastores and 14 VMs; `scale` generates that many VMs with hosts, datastores and pools in proportion. Today's runs see the lab as documented; runs dated in the past see its drift (stopped VMs, other sizes), repeatably.",
    infrastructure: 'private_cloud',
    supported_resource_types: [
      'virtual_machine',
      'hypervisor_host',
      'auto_scaling_group',
      'block_storage',
      'file_storage',
    ],
    connection_parameters: [
      {
        name: 'scale',
        type: 'integer',
        required: false,
        secret: false,
        default: 0,
        description: 'Number of VMs to simulate; 0 for the default 27-resource lab.',
      },
      {
        name: 'seed',
        type: 'integer',
        required: false,
        secret: false,
        default: 42,
        description: 'Seed of the simulation (same seed, same lab).',
      },
      {
        name: 'datacenter',
        type: 'string',
        required: false,
        secret: false,
        default: 'Lab-DC1',
        description: 'Datacenter name, reported as the region.',
      },
    ],
    requires_endpoint: false,
  },
  async validateConnection(ctx) {
    const options = labOptions(ctx);
    return {
      ok: true,
      message: `Simulated lab ready (${options.scale > 0 ? `${options.scale} VMs` : 'default lab'}, seed ${options.seed}).`,
    };
  },
  collect(ctx) {
    const targets = ctx.options.target_resource_types;
    return labRecords(labOptions(ctx), ctx.clock(), (slug) => targets.length === 0 || targets.includes(slug));
  },
};
