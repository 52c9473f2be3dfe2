import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run cli` builds only when a source is newer than the last build
 * (scripts/build-if-stale.mjs), tried on a small project of its own with the real tsc.
 */
describe('npm run cli: build only when the sources changed', () => {
  const script = join(process.cwd(), 'scripts', 'build-if-stale.mjs');
  let dir: string;
  const run = () =>
    spawnSync(process.execPath, [script], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', BUILD_IF_STALE_VERBOSE: '1' },
      timeout: 120_000,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inventory-build-'));
    await mkdir(join(dir, 'src'));
    await symlink(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'x',
        private: true,
        type: 'module',
        scripts: { build: 'tsc -p tsconfig.build.json' },
      }),
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', module: 'nodenext', types: [] } }),
    );
    await writeFile(
      join(dir, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['src'] }),
    );
    await writeFile(join(dir, 'src', 'main.ts'), 'export const answer: number = 42;\n');
  });

  it('builds the first time, skips while nothing changed, builds again after an edit', async () => {
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('Building');
    expect(await readFile(join(dir, 'dist', 'src', 'main.js'), 'utf8')).toContain('42');

    const second = run();
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('dist/ is up to date');

    const later = new Date((await stat(join(dir, 'dist', '.build-stamp'))).mtimeMs + 5_000);
    await writeFile(join(dir, 'src', 'main.ts'), 'export const answer: number = 43;\n');
    await utimes(join(dir, 'src', 'main.ts'), later, later);
    const third = run();
    expect(third.stderr).toContain('Sources changed since the last build: building');
    expect(await readFile(join(dir, 'dist', 'src', 'main.js'), 'utf8')).toContain('43');
  }, 180_000);
});
