import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as createTar } from 'tar';
import { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { http, startTestApp, type TestApp } from '../support/app.js';

const manifestYml = (vendor: string, type: string, extra = '') => `vendor: ${vendor}
provider_type: ${type}
version: 1.0.0
infrastructure: bare_metal
supported_resource_types: [bare_metal]
${extra}`;
const moduleJs = `export async function validateConnection() { return { ok: true, message: 'ok' }; }
export async function* collect() {}
`;

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plugin-src-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function archiveOf(dir: string, files: string[]): Promise<Buffer> {
  const out = join(await mkdtemp(join(tmpdir(), 'plugin-tar-')), 'plugin.tar.gz');
  await createTar({ gzip: true, file: out, cwd: dir, portable: true }, files);
  return readFile(out);
}

/**
 * Issue 11, item 6: a plugin archive is validated before it is stored, plugin module
 * paths are checked with a path separator (and after following links), and two plugin
 * keys cannot unpack to the same folder.
 */
describe('plugin archives and plugin folders', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PLUGIN_UPLOAD_ENABLED: 'true', PLUGIN_UPLOAD_MAX_MB: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });
  const upload = (body: Buffer) => {
    const form = new FormData();
    form.append('archive', new Blob([new Uint8Array(body)]), 'plugin.tar.gz');
    return http(`${t.api}/provider-plugins/upload/`, { method: 'POST', body: form });
  };
  const stored = async () =>
    (await t.pool.query<{ key: string }>(`SELECT key FROM provider_plugin_archives ORDER BY key`)).rows.map(
      (r) => r.key,
    );

  it('refuses the second of two keys that would unpack to the same folder (409), and stores nothing', async () => {
    const first = await folder({ 'manifest.yml': manifestYml('a--b', 'c'), 'provider.js': moduleJs });
    const second = await folder({ 'manifest.yml': manifestYml('a', 'b--c'), 'provider.js': moduleJs });
    expect((await upload(await archiveOf(first, ['manifest.yml', 'provider.js']))).status).toBe(201);
    const clash = await upload(await archiveOf(second, ['manifest.yml', 'provider.js']));
    expect(clash.status).toBe(409);
    expect(clash.body.detail).toMatch(/same folder.*a--b:c/);
    expect(await stored()).toEqual(['a--b:c']);
    expect((await http(`${t.api}/provider-plugins/a--b:c/`)).status).toBe(200);
    expect((await http(`${t.api}/provider-plugins/a:b--c/`)).status).toBe(404);
  });

  it('refuses unsafe or invalid archives with a 400 before storing them', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'plugin-outside-'));
    await writeFile(join(outside, 'evil.js'), moduleJs);
    const linked = await folder({ 'manifest.yml': manifestYml('linked', 'one') });
    await symlink(join(outside, 'evil.js'), join(linked, 'provider.js'));
    const cases: [string, Buffer][] = [
      [
        'module outside the folder',
        await archiveOf(
          await folder({
            'manifest.yml': manifestYml('escape', 'one', 'module: ../escape-two/provider.js'),
            'provider.js': moduleJs,
          }),
          ['manifest.yml', 'provider.js'],
        ),
      ],
      [
        'absolute module',
        await archiveOf(
          await folder({
            'manifest.yml': manifestYml('escape', 'two', `module: ${join(outside, 'evil.js')}`),
            'provider.js': moduleJs,
          }),
          ['manifest.yml', 'provider.js'],
        ),
      ],
      [
        'module not a string',
        await archiveOf(
          await folder({
            'manifest.yml': manifestYml('escape', 'three', 'module: [a]'),
            'provider.js': moduleJs,
          }),
          ['manifest.yml', 'provider.js'],
        ),
      ],
      ['a symlinked module', await archiveOf(linked, ['manifest.yml', 'provider.js'])],
      [
        'manifest not a mapping',
        await archiveOf(await folder({ 'manifest.yml': '- a\n- b\n', 'provider.js': moduleJs }), [
          'manifest.yml',
          'provider.js',
        ]),
      ],
      [
        'invalid manifest',
        await archiveOf(await folder({ 'manifest.yml': 'vendor: X Y\n', 'provider.js': moduleJs }), [
          'manifest.yml',
          'provider.js',
        ]),
      ],
      [
        'huge manifest',
        await archiveOf(
          await folder({
            'manifest.yml': manifestYml('big', 'one', `# ${'x'.repeat(300 * 1024)}`),
            'provider.js': moduleJs,
          }),
          ['manifest.yml', 'provider.js'],
        ),
      ],
    ];
    const before = await stored();
    for (const [what, archive] of cases) {
      const res = await upload(archive);
      expect([what, res.status]).toEqual([what, 400]);
      expect(typeof res.body.errors?.archive?.[0]).toBe('string');
    }
    expect(await stored()).toEqual(before);
  });

  it('loads a folder plugin only when its module is inside the folder (with a separator, links followed)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'plugin-folders-'));
    // `foo-evil/` starts with "foo" but is not inside `foo/`.
    await mkdir(join(root, 'foo'));
    await writeFile(
      join(root, 'foo', 'manifest.yml'),
      manifestYml('prefix', 'escape', 'module: ../foo-evil/provider.js'),
    );
    await mkdir(join(root, 'foo-evil'));
    await writeFile(join(root, 'foo-evil', 'provider.js'), moduleJs);
    // A module that is a link to a file elsewhere.
    const outside = await mkdtemp(join(tmpdir(), 'plugin-outside-'));
    await writeFile(join(outside, 'provider.js'), moduleJs);
    await mkdir(join(root, 'linked'));
    await writeFile(join(root, 'linked', 'manifest.yml'), manifestYml('link', 'escape'));
    await symlink(join(outside, 'provider.js'), join(root, 'linked', 'provider.js'));
    // A well-behaved one, with its module in a subfolder.
    await mkdir(join(root, 'good', 'lib'), { recursive: true });
    await writeFile(
      join(root, 'good', 'manifest.yml'),
      manifestYml('good', 'one', 'module: lib/provider.js'),
    );
    await writeFile(join(root, 'good', 'lib', 'provider.js'), moduleJs);
    const registry = new PluginRegistry([root], join(root, 'no-node-modules'));
    await registry.discover();
    const keys = registry.list().map((p) => p.key);
    expect(keys).toContain('good:one');
    expect(keys).not.toContain('prefix:escape');
    expect(keys).not.toContain('link:escape');
    expect(registry.problems.join('\n')).toMatch(/foo: .*(outside|inside) the plugin folder/);
    expect(registry.problems.join('\n')).toMatch(/linked: .*outside the plugin folder/);
  });
});
