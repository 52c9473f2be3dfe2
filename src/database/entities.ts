import { AlertRuleCursorEntity, AlertRuleEntity } from '../alerting/alert-rule.entity.js';
import { AlertEntity } from '../alerting/alert.entity.js';
import { AuthThrottleEntity } from '../auth/auth-throttle.entity.js';
import { RevokedTokenEntity } from '../auth/revoked-token.entity.js';
import { ResourceChangeEntity } from '../changes/resource-change.entity.js';
import { CollectionRunEntity } from '../collection/collection-run.entity.js';
import { FactSnapshotEntity } from '../facts/fact-snapshot.entity.js';
import { PushRateLimitEntity } from '../facts/push-rate-limit.entity.js';
import { SystemEntity } from '../facts/system.entity.js';
import { ScheduledJobEntity } from '../retention/scheduled-job.entity.js';
import { ActivityEntryEntity } from '../platform/activity-entry.entity.js';
import { OrganizationEntity } from '../platform/organization.entity.js';
import { TeamEntity } from '../platform/team.entity.js';
import { UserEntity } from '../platform/user.entity.js';
import { PropertyDefinitionEntity } from '../property-definitions/property-definition.entity.js';
import { ProviderDocumentEntity } from '../providers/provider-document.entity.js';
import { ProviderEntity } from '../providers/provider.entity.js';
import { RoleAssignmentEntity } from '../rbac/role-assignment.entity.js';
import { RoleDefinitionEntity } from '../rbac/role-definition.entity.js';
import { ResourceRelationshipEntity } from '../relationships/resource-relationship.entity.js';
import { EventEntity } from '../events/event.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import { ResourceSightingEntity } from '../sightings/resource-sighting.entity.js';
import { ResourceCategoryEntity } from '../taxonomy/resource-category.entity.js';
import { ResourceTypeEntity } from '../taxonomy/resource-type.entity.js';
import { ResourceTagEntity, TagEntity } from '../tags/tag.entity.js';
import { WatchlistEntity, WatchlistMemberEntity } from '../watchlists/watchlist.entity.js';
import { VendorTypeMappingEntity } from '../taxonomy/vendor-type-mapping.entity.js';

import {
  WebhookDeliveryEntity,
  WebhookDispatchCursorEntity,
  WebhookEntity,
} from '../webhooks/webhook.entity.js';
import {
  AutomationHostDecisionEntity,
  AutomationRecordEntity,
  PendingMatchEntity,
} from '../automation/automation-record.entity.js';

/** Every entity, listed as classes (not globs) so the same list works from dist/ and under jest. */
export const ENTITIES = [
  OrganizationEntity,
  TeamEntity,
  UserEntity,
  ActivityEntryEntity,
  RoleDefinitionEntity,
  RoleAssignmentEntity,
  ProviderEntity,
  ProviderDocumentEntity,
  CollectionRunEntity,
  ResourceCategoryEntity,
  ResourceTypeEntity,
  VendorTypeMappingEntity,
  PropertyDefinitionEntity,
  ResourceEntity,
  ResourceRelationshipEntity,
  ResourceSightingEntity,
  ResourceChangeEntity,
  FactSnapshotEntity,
  SystemEntity,
  PushRateLimitEntity,
  ScheduledJobEntity,
  RevokedTokenEntity,
  AuthThrottleEntity,
  EventEntity,
  AlertEntity,
  AlertRuleEntity,
  AlertRuleCursorEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  WebhookDispatchCursorEntity,
  TagEntity,
  ResourceTagEntity,
  AutomationRecordEntity,
  PendingMatchEntity,
  AutomationHostDecisionEntity,
  WatchlistEntity,
  WatchlistMemberEntity,
];
