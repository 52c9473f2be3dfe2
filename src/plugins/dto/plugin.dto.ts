import { ApiProperty } from '@nestjs/swagger';

export class ConnectionParameterDto {
  @ApiProperty({ example: 'username' }) name: string;
  @ApiProperty({
    enum: ['string', 'integer', 'number', 'boolean', 'list', 'objects'],
    description:
      '`list`: a JSON array of strings. `objects`: a JSON array of mappings with the declared `fields`; secret fields are encrypted and masked in each element.',
  })
  type: string;
  @ApiProperty() required: boolean;
  @ApiProperty({ description: 'Encrypted at rest and masked in responses.' }) secret: boolean;
  @ApiProperty({
    required: false,
    oneOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: { type: 'string' } },
    ],
  })
  default?: unknown;
  @ApiProperty() description: string;
  @ApiProperty({
    required: false,
    type: () => [ConnectionParameterDto],
    description: 'For `objects`: the fields of each element (scalar or `list` types).',
  })
  fields?: ConnectionParameterDto[];
}

export class PluginDto {
  @ApiProperty({ example: 'vmware:vcenter' }) key: string;
  @ApiProperty({ example: 'vmware' }) vendor: string;
  @ApiProperty({ example: 'vcenter' }) provider_type: string;
  @ApiProperty({ example: '1.0.0' }) version: string;
  @ApiProperty({ example: 'VMware vCenter' }) display_name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 'private_cloud' }) infrastructure: string;
  @ApiProperty({ type: [String], example: ['virtual_machine', 'hypervisor_host'] })
  supported_resource_types: string[];
  @ApiProperty({ type: [ConnectionParameterDto] }) connection_parameters: ConnectionParameterDto[];
  @ApiProperty({ description: 'Whether providers of this plugin need an endpoint.' })
  requires_endpoint: boolean;
  @ApiProperty({ enum: ['builtin', 'package', 'folder', 'runtime'] }) source: string;
  @ApiProperty({ description: 'Package name or folder the plugin came from.' }) origin: string;
  @ApiProperty({ description: 'Providers configured with this plugin.' }) provider_count: number;
}

export class PluginDetailDto extends PluginDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Contents of requirements.txt, requirements.yml, bindep.txt and meta/execution-environment.yml, when present.',
  })
  dependencies: Record<string, string>;
}

export class PluginTestResultDto {
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty() provider_name: string;
  @ApiProperty() ok: boolean;
  @ApiProperty() message: string;
}

export class PluginTestDto {
  @ApiProperty({ example: 'vmware:vcenter' }) plugin: string;
  @ApiProperty({ type: [PluginTestResultDto] }) results: PluginTestResultDto[];
}

export class PluginRefreshDto {
  @ApiProperty({ example: 2 }) count: number;
  @ApiProperty({
    type: [String],
    description: 'Problems found while discovering (bad manifests, modules that failed).',
  })
  problems: string[];
}
