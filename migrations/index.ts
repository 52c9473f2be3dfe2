import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { SeedTaxonomy1764000000001 } from './1764000000001-seed-taxonomy.js';
import { DefaultOrganization1764000000002 } from './1764000000002-default-organization.js';
import { ManagedRoles1764000000003 } from './1764000000003-managed-roles.js';
import { CollectionEngine1764000000004 } from './1764000000004-collection-engine.js';
import { ReadPathIndexes1764000000005 } from './1764000000005-read-path-indexes.js';
import { PushedInventory1764600000000 } from './1764600000000-pushed-inventory.js';
import { ResourceTracking1764700000000 } from './1764700000000-resource-tracking.js';
import { CollectionWritePath1764800000000 } from './1764800000000-collection-write-path.js';
import { Events1765000000000 } from './1765000000000-events.js';
import { VspherePowerStates1765200000000 } from './1765200000000-vsphere-power-states.js';
import { Alerts1765300000000 } from './1765300000000-alerts.js';
import { CollectorsTaxonomy1765600000000 } from './1765600000000-collectors-taxonomy.js';
import { ProviderDocuments1765600000001 } from './1765600000001-provider-documents.js';
import { RevokedTokens1765400000000 } from './1765400000000-revoked-tokens.js';
import { Webhooks1766100000000 } from './1766100000000-webhooks.js';
import { CredentialVersions1766300000000 } from './1766300000000-credential-versions.js';
import { ResourcePresentAt1766400000000 } from './1766400000000-resource-present-at.js';
import { Tags1766800000000 } from './1766800000000-tags.js';
import { Watchlists1766800000001 } from './1766800000001-watchlists.js';
import { FactSnapshotKinds1766200000000 } from './1766200000000-fact-snapshot-kinds.js';
import { AlertRules1766600000000 } from './1766600000000-alert-rules.js';
import { AlertRuleResolveEvents1766600000001 } from './1766600000001-alert-rule-resolve-events.js';
import { AutomationRecords1766700000000 } from './1766700000000-automation-records.js';
import { AuthThrottle1766500000000 } from './1766500000000-auth-throttle.js';

/** Every migration, in order, as classes (not globs) so dist/ and jest load the same list. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  SeedTaxonomy1764000000001,
  DefaultOrganization1764000000002,
  ManagedRoles1764000000003,
  CollectionEngine1764000000004,
  ReadPathIndexes1764000000005,
  PushedInventory1764600000000,
  ResourceTracking1764700000000,
  CollectionWritePath1764800000000,
  Events1765000000000,
  VspherePowerStates1765200000000,
  Alerts1765300000000,
  CollectorsTaxonomy1765600000000,
  ProviderDocuments1765600000001,
  RevokedTokens1765400000000,
  Webhooks1766100000000,
  FactSnapshotKinds1766200000000,
  CredentialVersions1766300000000,
  ResourcePresentAt1766400000000,
  AuthThrottle1766500000000,
  AlertRules1766600000000,
  AlertRuleResolveEvents1766600000001,
  Tags1766800000000,
  AutomationRecords1766700000000,
  Watchlists1766800000001,
];
