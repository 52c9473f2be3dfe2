// Builds (`npm run build`) only when a source is newer than the last build, so
// `npm run cli -- …` costs no compile when nothing changed. The sources are the folders
// tsconfig.build.json includes plus the tsconfig files; the last build is the mtime of
// dist/.build-stamp, written after each successful build. Plain Node, no dependencies:
// it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const stamp = join(root, 'dist', '.build-stamp');

/** The newest mtime (ms) under a file or folder, skipping node_modules and dist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
// ui/ is the web UI, which `npm run build` bundles into dist/ui.
const inputs = [...(config.include ?? []), 'ui', 'tsconfig.json', 'tsconfig.build.json'];
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...inputs.map((input) => newest(join(root, input))));

if (built > 0 && changed <= built) {
  if (process.env.BUILD_IF_STALE_VERBOSE) process.stderr.write('dist/ is up to date\n');
  process.exit(0);
}
process.stderr.write(built ? 'Sources changed since the last build: building\n' : 'Building\n');
const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', cwd: root });
if (result.status !== 0) process.exit(result.status ?? 1);
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(stamp, `${new Date().toISOString()}\n`);
