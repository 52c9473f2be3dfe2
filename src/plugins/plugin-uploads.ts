import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { x as extractTar } from 'tar';
import type { Queryable } from '../common/list/list-runner.js';
import { parseManifest } from './manifest.js';
import { pluginKey, type PluginManifest } from './plugin.contract.js';

export const uploadedPluginsFolder = (dataDir: string) => join(dataDir, 'plugins-uploaded');

/** The folder (under uploadedPluginsFolder) a plugin key unpacks to. */
export const pluginFolderName = (key: string) => key.replace(':', '--');

/** Whether `path` is inside the folder `dir` (both absolute): a separator after the prefix. */
export const isInside = (dir: string, path: string) => path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The largest manifest.yml read. */
const MAX_MANIFEST_BYTES = 256 * 1024;

/**
 * The module a manifest names (`module:`, default `provider.js`), checked: a relative
 * path with forward slashes inside the plugin folder (no absolute path, no `..`).
 */
export function moduleFileOf(raw: Record<string, unknown>): string {
  const file = raw.module ?? 'provider.js';
  if (typeof file !== 'string' || file.trim() === '')
    throw new PluginArchiveError(
      'manifest.yml: "module" must be a relative path to the plugin\'s JS module.',
    );
  const segments = file.split('/');
  if (
    isAbsolute(file) ||
    file.includes('\\') ||
    file.includes('\0') ||
    segments.some((segment) => segment === '..' || segment === '')
  )
    throw new PluginArchiveError(
      `manifest.yml: "module" ${JSON.stringify(file)} must be a relative path inside the plugin folder (no "..", no absolute path).`,
    );
  return file;
}

/** Why an archive was refused (the API answers 400 with it). */
export class PluginArchiveError extends Error {}

/**
 * Extracts a .tar.gz safely: regular files and folders only (no links, devices or
 * absolute paths), nothing outside the target folder (tar refuses `..`), and a cap on
 * the number of entries and on the unpacked size.
 */
export async function extractArchive(archive: Buffer, into: string, maxBytes: number): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'plugin-archive-'));
  const file = join(scratch, 'archive.tar.gz');
  await writeFile(file, archive);
  await mkdir(into, { recursive: true });
  let entries = 0;
  let bytes = 0;
  let refused = null as string | null;
  try {
    await extractTar({
      file,
      cwd: into,
      strict: true,
      preservePaths: false,
      filter: (path, entry) => {
        const type = (entry as { type?: string }).type;
        entries++;
        bytes += (entry as { size?: number }).size ?? 0;
        if (type !== 'File' && type !== 'Directory' && type !== 'OldFile')
          refused ??= `"${path}" is a ${type}; only files and folders are allowed`;
        else if (path.startsWith('/') || path.split('/').includes('..'))
          refused ??= `"${path}" points outside the plugin folder`;
        else if (entries > 1000) refused ??= 'the archive holds more than 1,000 entries';
        else if (bytes > maxBytes * 4)
          refused ??= 'the archive unpacks to more than four times the upload limit';
        return refused === null;
      },
    });
  } catch (error) {
    throw new PluginArchiveError(`Not a readable .tar.gz archive: ${(error as Error).message}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (refused) throw new PluginArchiveError(`Archive refused: ${refused}.`);
}

/** Reads and checks the manifest of an archive (unpacked to a scratch folder). */
export async function inspectArchive(archive: Buffer, maxBytes: number): Promise<PluginManifest> {
  const scratch = await mkdtemp(join(tmpdir(), 'plugin-inspect-'));
  try {
    await extractArchive(archive, scratch, maxBytes);
    const manifestPath = join(scratch, 'manifest.yml');
    if (!existsSync(manifestPath))
      throw new PluginArchiveError('The archive has no manifest.yml at its top level.');
    const manifestStat = await lstat(manifestPath);
    if (!manifestStat.isFile()) throw new PluginArchiveError('manifest.yml must be a regular file.');
    if (manifestStat.size > MAX_MANIFEST_BYTES)
      throw new PluginArchiveError(`manifest.yml is larger than ${MAX_MANIFEST_BYTES / 1024} KB.`);
    let raw: Record<string, unknown>;
    try {
      raw = loadYaml(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new PluginArchiveError(`manifest.yml is not valid YAML: ${(error as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new PluginArchiveError('manifest.yml must be a mapping.');
    let manifest: PluginManifest;
    try {
      manifest = parseManifest(raw, 'manifest.yml');
    } catch (error) {
      throw new PluginArchiveError((error as Error).message);
    }
    const moduleFile = moduleFileOf(raw);
    const modulePath = join(scratch, moduleFile);
    const moduleStat = await stat(modulePath).catch(() => null);
    if (!moduleStat?.isFile())
      throw new PluginArchiveError(`The archive has no ${moduleFile} (the module manifest.yml names).`);
    if (!isInside(await realpath(scratch), await realpath(modulePath)))
      throw new PluginArchiveError(`The module ${moduleFile} is outside the plugin folder.`);
    return manifest;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function storeArchive(
  db: Queryable,
  manifest: PluginManifest,
  archive: Buffer,
  userId: number,
): Promise<void> {
  await db.query(
    `INSERT INTO provider_plugin_archives (key, manifest, archive, sha256, uploaded_by_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key) DO UPDATE SET manifest = EXCLUDED.manifest, archive = EXCLUDED.archive, sha256 = EXCLUDED.sha256,
       uploaded_by_id = EXCLUDED.uploaded_by_id, modified = now()`,
    [
      pluginKey(manifest),
      JSON.stringify(manifest),
      archive,
      createHash('sha256').update(archive).digest('hex'),
      userId,
    ],
  );
}

/** Extracts every stored archive whose content changed into `<folder>/<vendor>--<type>/`. */
export async function syncUploadedPlugins(db: Queryable, folder: string): Promise<void> {
  const rows = await db
    .query<{ key: string; sha256: string }[]>(
      `SELECT key, sha256 FROM provider_plugin_archives ORDER BY created, key`,
    )
    .catch(() => [] as { key: string; sha256: string }[]);
  // Two keys never share a folder: the older archive keeps it (uploads refuse a second).
  const claimed = new Set<string>();
  for (const row of rows) {
    const name = pluginFolderName(row.key);
    if (claimed.has(name)) continue;
    claimed.add(name);
    const dir = join(folder, name);
    const marker = join(dir, '.archive-sha256');
    if ((await readFile(marker, 'utf8').catch(() => '')) === row.sha256) continue;
    const [stored] = await db.query<{ archive: Buffer }[]>(
      `SELECT archive FROM provider_plugin_archives WHERE key = $1`,
      [row.key],
    );
    await rm(dir, { recursive: true, force: true });
    await extractArchive(stored.archive, dir, Number.MAX_SAFE_INTEGER);
    await writeFile(marker, row.sha256);
  }
}
