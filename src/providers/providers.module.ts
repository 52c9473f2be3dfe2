import { Module } from '@nestjs/common';
import { ProvidersController } from './providers.controller.js';
import { ProviderDocumentsService } from './provider-documents.service.js';
import { ProvidersService } from './providers.service.js';

@Module({
  controllers: [ProvidersController],
  providers: [ProvidersService, ProviderDocumentsService],
  exports: [ProvidersService],
})
export class ProvidersModule {}
