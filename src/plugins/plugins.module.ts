import { Global, Module } from '@nestjs/common';
import { PluginsService } from './plugins.service.js';
import { ProviderPluginsController } from './provider-plugins.controller.js';
import { ProviderPluginsService } from './provider-plugins.service.js';

@Global()
@Module({
  controllers: [ProviderPluginsController],
  providers: [PluginsService, ProviderPluginsService],
  exports: [PluginsService],
})
export class PluginsModule {}
