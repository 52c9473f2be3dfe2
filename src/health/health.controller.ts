import { Controller, Get, HttpException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/actor.js';
import { VERSION } from '../version.js';

class PingDto {
  @ApiProperty({ example: 'ok' }) status: string;
}

class DatabaseHealthDto {
  @ApiProperty({ example: 'ok', enum: ['ok', 'unavailable'] }) status: string;
  @ApiProperty({ type: Number, nullable: true, example: 1.2 }) latency_ms: number | null;
}

class HealthDto {
  @ApiProperty({ example: 'ok', enum: ['ok', 'unavailable'] }) status: string;
  @ApiProperty({ example: VERSION }) version: string;
  @ApiProperty({ type: DatabaseHealthDto }) database: DatabaseHealthDto;
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('ping')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({
    type: PingDto,
    description: 'The process answers (liveness). Does not touch the database.',
  })
  ping(): PingDto {
    return { status: 'ok' };
  }

  @Get('health')
  @ApiOperation({ summary: 'Readiness: the database answers' })
  @ApiOkResponse({ type: HealthDto, description: 'The service can reach its database (readiness).' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'The database is unreachable.' })
  async health(): Promise<HealthDto> {
    const started = performance.now();
    try {
      await Promise.race([
        this.db.query('SELECT 1'),
        new Promise((_resolve, reject) =>
          setTimeout(() => reject(new Error('database check timed out')), 3000).unref(),
        ),
      ]);
      const latency = Math.round((performance.now() - started) * 10) / 10;
      return { status: 'ok', version: VERSION, database: { status: 'ok', latency_ms: latency } };
    } catch {
      const body: HealthDto = {
        status: 'unavailable',
        version: VERSION,
        database: { status: 'unavailable', latency_ms: null },
      };
      throw new HttpException({ detail: 'The database is unreachable.', ...body }, 503);
    }
  }
}
