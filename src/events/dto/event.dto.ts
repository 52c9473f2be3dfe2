import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { CHANGE_CATEGORIES, CHANGE_SEVERITIES, CHANGE_TYPES } from '../../changes/resource-change.enums.js';
import { EVENT_SEVERITIES, EVENT_TYPES } from '../event.enums.js';

/** One change row inside a `resource.changed` event. */
export class EventChangeDto {
  @ApiProperty({ example: 'memory_mb' }) field_path: string;
  @ApiProperty({ enum: CHANGE_TYPES }) change_type: string;
  @ApiProperty({ enum: CHANGE_CATEGORIES }) category: string;
  @ApiProperty({ enum: CHANGE_SEVERITIES }) severity: string;
  @ApiProperty({ nullable: true, description: 'Any JSON value.' }) previous: unknown;
  @ApiProperty({ nullable: true, description: 'Any JSON value.' }) current: unknown;
}

/** `resource.created`, `resource.removed`, `resource.restored`. */
export class ResourceEventPayloadDto {
  @ApiProperty({ example: 'vm-1042' }) ems_ref: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['collection_run', 'fact_snapshot'] }) source: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) collection_run: string | null;
}

/** `resource.changed`: the change rows of one resource found by one batch or push. */
export class ResourceChangedPayloadDto {
  @ApiProperty({ enum: ['collection_run', 'fact_snapshot'] }) source: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) collection_run: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) fact_snapshot: string | null;
  @ApiProperty({ type: [EventChangeDto], description: 'At most 200; `changes_total` counts them all.' })
  changes: EventChangeDto[];
  @ApiProperty() changes_total: number;
}

/** `relationship.added`, `relationship.closed` (the event's `resource` is the source). */
export class RelationshipEventPayloadDto {
  @ApiProperty({ format: 'uuid' }) relationship: string;
  @ApiProperty({ format: 'uuid' }) source: string;
  @ApiProperty({ format: 'uuid' }) target: string;
  @ApiProperty({ example: 'runs_on' }) relationship_type: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) collection_run: string | null;
}

export class RunCountersDto {
  @ApiProperty() found: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() removed: number;
  @ApiProperty() rejected: number;
}

/** `collection_run.started`, `.completed`, `.failed`, `.canceled` (counters and duration once it ended). */
export class CollectionRunEventPayloadDto {
  @ApiProperty({ format: 'uuid' }) collection_run: string;
  @ApiProperty({ enum: ['full', 'incremental', 'targeted'] }) collection_type: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed', 'canceled'] }) status: string;
  @ApiProperty({ type: RunCountersDto, required: false }) counters?: RunCountersDto;
  @ApiProperty({ required: false }) duration_seconds?: number;
  @ApiProperty({ required: false, description: 'Failed runs: what went wrong (no secrets).' })
  error_message?: string;
}

/** `system.enrolled`. */
export class SystemEnrolledPayloadDto {
  @ApiProperty() name: string;
  @ApiProperty({ example: 'SYS-7KQ2-M9XD-4RTA-P3WE' }) system_key: string;
}

/** `system.status_changed`. */
export class SystemStatusChangedPayloadDto {
  @ApiProperty({ enum: ['unknown', 'active', 'inactive'] }) from: string;
  @ApiProperty({ enum: ['unknown', 'active', 'inactive'] }) to: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The host it is linked to.' })
  resource: string | null;
}

/** `facts.changed`: a push stored a new snapshot. */
export class FactsChangedPayloadDto {
  @ApiProperty({ format: 'uuid' }) fact_snapshot: string;
  @ApiProperty({ description: 'The host had no snapshot before.' }) first: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { high: 1, info: 12 },
    description: 'Change rows by severity.',
  })
  changes: Record<string, number>;
  @ApiProperty() changes_total: number;
}

/** One user tag inside a `resource.tagged` / `resource.untagged` event. */
export class EventTagDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'env' }) key: string;
  @ApiProperty({ example: 'prod' }) value: string;
}

/** `resource.tagged`, `resource.untagged`: user tags put on or taken off one resource. */
export class ResourceTaggedPayloadDto {
  @ApiProperty({ type: [EventTagDto], description: 'The tags that changed on this resource (never empty).' })
  tags: EventTagDto[];
  @ApiProperty({
    enum: ['resource', 'bulk', 'tag_changed', 'tag_deleted', 'provider_moved'],
    description:
      'What did it: POST /resources/{id}/tags/, POST /resources/tags/ (bulk), a tag renamed (PATCH /tags/{id}/: untagged from the old key=value, tagged with the new), a tag deleted, or the provider moved to another organization (its tags stay behind).',
  })
  via: string;
  @ApiProperty({ type: String, nullable: true, description: 'Username of who did it.' }) actor: string | null;
}

/** `watchlist.member_added`, `watchlist.member_removed`: the event's `resource` joined or left a watchlist. */
export class WatchlistMemberPayloadDto {
  @ApiProperty({ format: 'uuid' }) watchlist: string;
  @ApiProperty({ example: 'Production VMs' }) name: string;
  @ApiProperty({ enum: ['static', 'dynamic'] }) watchlist_type: string;
  @ApiProperty({
    enum: ['chosen', 'saved', 'tags_changed', 'evaluation', 'provider_moved'],
    description:
      'chosen: added or removed by hand (static lists); saved: its filter was changed; tags_changed: a tag change made the resource match or stop matching; evaluation: the periodic evaluation of dynamic lists found the change (a collection or push changed the resource); provider_moved: its provider moved to another organization.',
  })
  via: string;
  @ApiProperty({ type: String, nullable: true, description: 'Username, when a person did it.' })
  actor: string | null;
}

export const EVENT_PAYLOAD_MODELS = [
  ResourceEventPayloadDto,
  ResourceChangedPayloadDto,
  RelationshipEventPayloadDto,
  CollectionRunEventPayloadDto,
  SystemEnrolledPayloadDto,
  SystemStatusChangedPayloadDto,
  FactsChangedPayloadDto,
  ResourceTaggedPayloadDto,
  WatchlistMemberPayloadDto,
];

export class EventDto {
  @ApiProperty({ description: 'The cursor: read on with `?after=` (or `Last-Event-ID`).', example: 1042 })
  id: number;
  @ApiProperty({ format: 'date-time' }) occurred_at: string;
  @ApiProperty({ enum: EVENT_TYPES }) type: string;
  @ApiProperty() organization: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) provider: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) resource: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) system: string | null;
  @ApiProperty({ enum: EVENT_SEVERITIES, nullable: true, type: String }) severity: string | null;
  @ApiProperty({
    description:
      'By type: resource.created/removed/restored → ResourceEventPayloadDto; resource.changed → ResourceChangedPayloadDto; ' +
      'relationship.* → RelationshipEventPayloadDto; collection_run.* → CollectionRunEventPayloadDto; ' +
      'system.enrolled → SystemEnrolledPayloadDto; system.status_changed → SystemStatusChangedPayloadDto; ' +
      'facts.changed → FactsChangedPayloadDto; resource.tagged/untagged → ResourceTaggedPayloadDto; watchlist.member_added/removed → WatchlistMemberPayloadDto.',
    oneOf: EVENT_PAYLOAD_MODELS.map((m) => ({ $ref: getSchemaPath(m) })),
  })
  payload: Record<string, unknown>;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] }) results: EventDto[];
  @ApiProperty({
    description:
      'Read on from here (`?after=`): the last event of a full page, else the horizon (every event up to it was considered).',
  })
  cursor: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The next page (its `after` is `cursor`) when this one is full; null when caught up.',
  })
  next: string | null;
}
