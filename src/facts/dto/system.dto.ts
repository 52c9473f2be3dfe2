import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../../common/http/validators.js';
import { SYSTEM_STATUSES } from '../system.entity.js';

/** Body of POST /systems/. */
export class CreateSystemDto {
  @ApiProperty({ example: 'web01.example.com', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiProperty({ description: 'Organization id.', example: 1 })
  @IsInt()
  @Min(1)
  organization: number;

  @ApiPropertyOptional({ default: '' })
  @OptionalField()
  @IsString()
  @MaxLength(10000)
  description?: string;
}

export class SystemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty({ example: 'Default' }) organization_name: string;
  @ApiProperty({ example: 'SYS-7KQ2-M9XD-4RTA-P3WE', description: 'Public half of the credentials.' })
  system_key: string;
  @ApiProperty({ enum: SYSTEM_STATUSES }) status: string;
  @ApiProperty({ description: 'Suspended systems are refused (403) until resumed.' }) suspended: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) suspended_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_heartbeat_at: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The host resource, once facts arrived.',
  })
  resource: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

/** The answer of create and regenerate-secret: the only time the secret is shown. */
export class SystemWithSecretDto extends SystemDto {
  @ApiProperty({
    description: 'Shown once. Use HTTP Basic `system_key:secret` to push facts and heartbeats.',
  })
  secret: string;
}
