import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsString, Length, Min } from 'class-validator';
import { OptionalField } from '../../common/http/validators.js';
import { DELIVERY_STATUSES } from '../webhook.entity.js';

/** Body of POST /webhooks/. */
export class CreateWebhookDto {
  @ApiProperty({ description: 'Organization id.', example: 1 })
  @IsInt()
  @Min(1)
  organization: number;

  @ApiProperty({ example: 'chat-ops', maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiProperty({
    example: 'https://hooks.example.com/inventory',
    description: 'http(s) URL; loopback, link-local and private addresses are refused.',
  })
  @IsString()
  @Length(1, 2048)
  url: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['resource.*', 'collection_run.failed'],
    description: 'Event types or prefixes (`resource.*`) delivered; empty or absent: every event.',
  })
  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  event_types?: string[];

  @ApiProperty({
    description: 'Signing secret (16–256 characters). Stored encrypted; never answered.',
    minLength: 16,
    writeOnly: true,
  })
  @IsString()
  @Length(16, 256)
  secret: string;

  @ApiPropertyOptional({ default: true })
  @OptionalField()
  @IsBoolean()
  enabled?: boolean;
}

/** Body of PATCH /webhooks/{id}/ (the organization cannot change). */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto, { skipNullProperties: false }) {}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) organization: number;
  @ApiProperty() name: string;
  @ApiProperty() url: string;
  @ApiProperty({ type: [String] }) event_types: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'A secret is set (it is never answered).' }) has_secret: boolean;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'Also sent as X-Inventory-Delivery.' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhook: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The event delivered (null: a test).' })
  event: number | null;
  @ApiProperty({ example: 'resource.changed' }) event_type: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ description: 'Attempts made so far.' }) attempt: number;
  @ApiProperty({ type: Number, nullable: true }) response_code: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Of the last attempt.' }) duration_ms:
    number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last attempt failed.' })
  error: string | null;
  @ApiProperty({ format: 'date-time', description: 'When the next attempt is due (pending ones).' })
  next_attempt_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) delivered_at: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The delivery this one redelivers.',
  })
  redelivery_of: string | null;
  @ApiProperty({ format: 'date-time' }) created: string;
  @ApiProperty({ format: 'date-time' }) modified: string;
}

interface WebhookRow {
  id: string;
  organization_id: number;
  name: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  created: Date;
  modified: Date;
}
export type { WebhookRow };

export const toWebhookDto = (row: WebhookRow): WebhookDto => ({
  id: row.id,
  organization: row.organization_id,
  name: row.name,
  url: row.url,
  event_types: row.event_types,
  enabled: row.enabled,
  has_secret: true,
  created: row.created.toISOString(),
  modified: row.modified.toISOString(),
});

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string | null;
  event_type: string;
  status: string;
  attempt: number;
  response_code: number | null;
  duration_ms: number | null;
  error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
  redelivery_of: string | null;
  created: Date;
  modified: Date;
}

export const toDeliveryDto = (row: DeliveryRow): WebhookDeliveryDto => ({
  id: row.id,
  webhook: row.webhook_id,
  event: row.event_id === null ? null : Number(row.event_id),
  event_type: row.event_type,
  status: row.status,
  attempt: row.attempt,
  response_code: row.response_code,
  duration_ms: row.duration_ms,
  error: row.error,
  next_attempt_at: row.next_attempt_at.toISOString(),
  delivered_at: row.delivered_at?.toISOString() ?? null,
  redelivery_of: row.redelivery_of,
  created: row.created.toISOString(),
  modified: row.modified.toISOString(),
});
