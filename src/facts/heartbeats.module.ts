import { Module } from '@nestjs/common';
import { HeartbeatsService } from './heartbeats.service.js';

/** The systems' status machine, shared by the push API and the worker's periodic check. */
@Module({ providers: [HeartbeatsService], exports: [HeartbeatsService] })
export class HeartbeatsModule {}
