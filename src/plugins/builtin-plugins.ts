import { awsPlugin } from './aws/index.js';
import { fileImportPlugin } from './file-import/index.js';
import { kubernetesPlugin } from './kubernetes/index.js';
import type { ProviderPlugin } from './plugin.contract.js';
import { vcenterLabPlugin } from './vmware-vcenter-lab/index.js';
import { VCENTER_DEPENDENCIES, vcenterPlugin } from './vmware-vcenter/index.js';

/** The plugins shipped with the service (one folder each under src/plugins/), with their dependency files. */
export const BUILTIN_PLUGINS: { plugin: ProviderPlugin; dependencies: Record<string, string> }[] = [
  { plugin: vcenterPlugin, dependencies: VCENTER_DEPENDENCIES },
  { plugin: vcenterLabPlugin, dependencies: {} },
  {
    plugin: awsPlugin,
    dependencies: {
      'requirements.yml': 'collections:\n  - name: amazon.aws\n    version: ">=8.0.0"\n',
      'meta/execution-environment.yml': 'version: 3\ndependencies:\n  galaxy: requirements.yml\n',
    },
  },
  {
    plugin: kubernetesPlugin,
    dependencies: {
      'requirements.yml': 'collections:\n  - name: kubernetes.core\n    version: ">=5.0.0"\n',
      'requirements.txt': 'kubernetes>=24.2.0\n',
    },
  },
  { plugin: fileImportPlugin, dependencies: {} },
];
