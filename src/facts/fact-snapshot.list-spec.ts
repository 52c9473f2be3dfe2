import { defineListSpec, filter } from '../common/list/list-spec.js';
import { FACT_SNAPSHOT_KINDS } from './fact-snapshot.entity.js';

/** /resources/{id}/facts/: a host's snapshots, newest first. */
export const FACT_SNAPSHOT_LIST = defineListSpec({
  filters: {
    received_after: filter.after('fs.received_at', 'Received at or after (ISO 8601).'),
    received_before: filter.before('fs.received_at', 'Received at or before (ISO 8601).'),
    sha256: filter.string('fs.sha256', 'Exact content hash (repeatable).', { lookups: false }),
    client_address: filter.string('fs.client_address', 'Client address (repeatable).'),
    kind: filter.enumOf(FACT_SNAPSHOT_KINDS, 'fs.kind', 'Document kind, `ansible` or `agent` (repeatable).'),
  },
  ordering: { received_at: 'fs.received_at', size_bytes: 'fs.size_bytes' },
  defaultOrdering: ['-received_at'],
  tieBreaker: 'fs.id',
  extraParams: { include: '`payload` to include system_facts, package_facts and local_facts.' },
});
