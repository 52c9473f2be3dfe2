import { Controller, Get, Param } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor } from '../auth/actor.js';
import { ApiEndpoint } from '../common/http/api-endpoint.decorator.js';
import type { ParsedListQuery } from '../common/list/list-query.js';
import { ApiListQuery, ApiPaginatedResponse, ListQuery, RequestUrl } from '../common/list/list.decorators.js';
import { MachineDetailDto, MachineDto, MachineFieldDto } from './dto/machine.dto.js';
import { MACHINE_LIST } from './machine.list-spec.js';
import { MachinesService } from './machines.service.js';

@ApiTags('machines')
// MachineDetailDto.fields refers to it by $ref (a map of them), which Nest does not follow.
@ApiExtraModels(MachineFieldDto)
@Controller('machines')
export class MachinesController {
  constructor(private readonly machines: MachinesService) {}

  @Get()
  @ApiEndpoint({
    summary: 'List machines: one row per canonical identity, with the providers that see it',
    description:
      'A machine is a canonical identity (SMBIOS UUID, or a vendor id) carried by at least one virtual machine, hypervisor host, bare-metal or physical server resource; `provider_count__gte=2` lists those seen by several providers.',
  })
  @ApiListQuery(MACHINE_LIST)
  @ApiPaginatedResponse(MachineDto)
  list(@CurrentActor() actor: Actor, @ListQuery(MACHINE_LIST) query: ParsedListQuery) {
    return this.machines.list(actor, query);
  }

  @Get(':canonical_id')
  @ApiEndpoint({
    summary:
      'Get a machine: its resources from every provider, the freshest value of each field and conflicts',
    errors: [404],
  })
  @ApiOkResponse({ type: MachineDetailDto })
  get(@CurrentActor() actor: Actor, @Param('canonical_id') canonicalId: string, @RequestUrl() url: string) {
    return this.machines.get(actor, canonicalId, url);
  }
}
