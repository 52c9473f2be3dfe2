import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One owner per table (issue #10, DESIGN.md §4 "Events"): the inventory tables are
 * written only by src/inventory-writer/, resource_changes only by src/changes/, the event
 * log only by src/events/, pushed facts and systems only by src/facts/. This reads every
 * SQL write in src/ and fails when another module writes one of these tables, so a new
 * shortcut cannot slip in unseen.
 */
const OWNERS: Record<string, string[]> = {
  resources: ['inventory-writer'],
  resource_tracking: ['inventory-writer'],
  resource_sightings: ['inventory-writer'],
  resource_relationships: ['inventory-writer'],
  resource_changes: ['changes'],
  events: ['events'],
  fact_snapshots: ['facts'],
  systems: ['facts'],
  tags: ['tags'],
  resource_tags: ['tags'],
  auth_throttle: ['auth'],
  automation_records: ['automation'],
  pending_matches: ['automation'],
  automation_host_decisions: ['automation'],
  watchlists: ['watchlists'],
  watchlist_members: ['watchlists'],
};

/** Writes that are not a module's own, each with its reason. */
const EXCEPTIONS: { file: string; write: string; why: string }[] = [
  {
    file: 'retention/retention.service.ts',
    write: 'DELETE FROM resource_sightings',
    why: 'the retention job prunes old sightings in bounded batches; it changes nothing the inventory says',
  },
];

const SRC = fileURLToPath(new URL('..', import.meta.url));
const WRITE = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

describe('table owners', () => {
  it('no module writes a table another module owns', async () => {
    const writes: { file: string; write: string; table: string }[] = [];
    for (const path of await sourceFiles(SRC)) {
      const text = await readFile(path, 'utf8');
      for (const m of text.matchAll(WRITE)) {
        const table = m[2];
        if (!(table in OWNERS)) continue;
        writes.push({ file: relative(SRC, path), write: `${m[1].replace(/\s+/g, ' ')} ${table}`, table });
      }
    }
    // The scan finds what it is meant to find (a broken pattern would pass vacuously).
    expect(writes.some((w) => w.file.startsWith('inventory-writer/') && w.table === 'resources')).toBe(true);
    expect(writes.some((w) => w.file.startsWith('changes/') && w.table === 'resource_changes')).toBe(true);

    const foreign = writes
      .filter((w) => !OWNERS[w.table].includes(w.file.split('/')[0]))
      .filter((w) => !EXCEPTIONS.some((e) => e.file === w.file && e.write === w.write))
      .map((w) => `${w.file}: ${w.write}`);
    expect(foreign).toEqual([]);
  });
});
