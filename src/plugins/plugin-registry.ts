import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { load as loadYaml } from 'js-yaml';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import { parseManifest } from './manifest.js';
import { isInside, moduleFileOf } from './plugin-uploads.js';
import { pluginKey, type CollectRecord, type PluginContext, type ProviderPlugin } from './plugin.contract.js';

export type PluginSource = 'builtin' | 'package' | 'folder' | 'runtime';

export interface RegisteredPlugin {
  key: string;
  plugin: ProviderPlugin;
  source: PluginSource;
  /** Where it came from: a package name or a folder. */
  origin: string;
  /** Dependency files (requirements.txt, requirements.yml, bindep.txt, meta/execution-environment.yml). */
  dependencies: Record<string, string>;
}

const DEPENDENCY_FILES = [
  'requirements.txt',
  'requirements.yml',
  'bindep.txt',
  'meta/execution-environment.yml',
];

/**
 * Finds provider plugins, in order of precedence (the first to claim a key wins):
 * 1. built-in plugins (src/plugins/<name>/);
 * 2. npm packages in node_modules whose package.json has an `inventoryProvider` entry
 *    (a module path; the module exports a plugin, or a list of them, as `default` or `plugin`);
 * 3. plugin folders: `<folder>/<name>/manifest.yml` plus the JS module it names (`module:`,
 *    default `provider.js`) exporting `validateConnection` and `collect`;
 * 4. plugins registered at runtime with `register()` (kept across refreshes).
 */
export class PluginRegistry {
  private readonly logger = new Logger('Plugins');
  private plugins = new Map<string, RegisteredPlugin>();
  private readonly runtime = new Map<string, ProviderPlugin>();
  private generation = 0;
  /** Problems found by the last discovery (bad manifests, modules that failed to load). */
  problems: string[] = [];

  constructor(
    private readonly folders: string[],
    private readonly nodeModules: string = resolve('node_modules'),
  ) {}

  list(): RegisteredPlugin[] {
    return [...this.plugins.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  get(key: string): RegisteredPlugin | undefined {
    return this.plugins.get(key);
  }

  register(plugin: ProviderPlugin): void {
    this.runtime.set(pluginKey(plugin.manifest), plugin);
    this.add({
      key: pluginKey(plugin.manifest),
      plugin,
      source: 'runtime',
      origin: 'runtime',
      dependencies: {},
    });
  }

  /** Re-scans every source; returns the number of plugins found. */
  async discover(): Promise<number> {
    const found = new Map<string, RegisteredPlugin>();
    const problems: string[] = [];
    const generation = ++this.generation;
    const claim = (entry: RegisteredPlugin) => {
      const existing = found.get(entry.key);
      if (existing) {
        problems.push(
          `${entry.key} from ${entry.source} ${entry.origin} ignored: already provided by ${existing.source} ${existing.origin}`,
        );
        return;
      }
      found.set(entry.key, entry);
    };
    for (const { plugin, dependencies } of BUILTIN_PLUGINS) {
      claim({
        key: pluginKey(plugin.manifest),
        plugin,
        source: 'builtin',
        origin: 'src/plugins',
        dependencies,
      });
    }
    for (const entry of await this.fromPackages(problems, generation)) claim(entry);
    for (const folder of this.folders)
      for (const entry of await this.fromFolder(folder, problems, generation)) claim(entry);
    for (const plugin of this.runtime.values())
      claim({
        key: pluginKey(plugin.manifest),
        plugin,
        source: 'runtime',
        origin: 'runtime',
        dependencies: {},
      });
    this.plugins = found;
    this.problems = problems;
    for (const problem of problems) this.logger.warn(problem);
    return found.size;
  }

  private add(entry: RegisteredPlugin): void {
    if (!this.plugins.has(entry.key) || this.plugins.get(entry.key)?.source === 'runtime')
      this.plugins.set(entry.key, entry);
  }

  private async fromPackages(problems: string[], generation: number): Promise<RegisteredPlugin[]> {
    if (!existsSync(this.nodeModules)) return [];
    const dirs: string[] = [];
    for (const name of await readdir(this.nodeModules)) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        for (const sub of await readdir(join(this.nodeModules, name)).catch(() => [] as string[]))
          dirs.push(join(this.nodeModules, name, sub));
      } else {
        dirs.push(join(this.nodeModules, name));
      }
    }
    // The package.json files are read 32 at a time, then handled in order: one at a time,
    // each read waited for an event-loop turn, and a busy API process took tens of seconds.
    const manifests: (string | null)[] = [];
    for (let start = 0; start < dirs.length; start += 32)
      manifests.push(
        ...(await Promise.all(
          dirs
            .slice(start, start + 32)
            .map((dir) => readFile(join(dir, 'package.json'), 'utf8').catch(() => null)),
        )),
      );
    const out: RegisteredPlugin[] = [];
    for (const [index, dir] of dirs.entries()) {
      let pkg: { name?: string; inventoryProvider?: unknown };
      try {
        pkg = JSON.parse(manifests[index] ?? '') as typeof pkg;
      } catch {
        continue;
      }
      if (typeof pkg?.inventoryProvider !== 'string') continue;
      try {
        const entry = await realpath(join(dir, pkg.inventoryProvider));
        if (!isInside(await realpath(dir), entry))
          throw new Error(`inventoryProvider "${pkg.inventoryProvider}" is outside the package`);
        const mod = (await import(`${pathToFileURL(entry).href}?v=${generation}`)) as Record<string, unknown>;
        const exported = mod.default ?? mod.plugin ?? mod.plugins;
        for (const plugin of [exported].flat()) {
          const checked = checkPlugin(plugin, `package ${pkg.name}`);
          out.push({
            key: pluginKey(checked.manifest),
            plugin: checked,
            source: 'package',
            origin: pkg.name ?? dir,
            dependencies: await dependencyFiles(dir),
          });
        }
      } catch (error) {
        problems.push(`package ${pkg.name ?? dir}: ${(error as Error).message}`);
      }
    }
    return out;
  }

  private async fromFolder(
    folder: string,
    problems: string[],
    generation: number,
  ): Promise<RegisteredPlugin[]> {
    if (!existsSync(folder)) return [];
    const out: RegisteredPlugin[] = [];
    for (const name of (await readdir(folder, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()) {
      const dir = join(folder, name);
      const manifestPath = join(dir, 'manifest.yml');
      if (!existsSync(manifestPath)) continue;
      try {
        const raw = loadYaml(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
        const manifest = parseManifest(raw, `${name}/manifest.yml`);
        const moduleFile = moduleFileOf(raw);
        // Inside the folder by path (with a separator: `foo-evil/` is not inside `foo`) and
        // after following links (a symlinked module may not lead out of it either).
        const modulePath = await realpath(resolve(dir, moduleFile)).catch(() => {
          throw new Error(`module "${moduleFile}" does not exist`);
        });
        if (!isInside(resolve(dir), resolve(dir, moduleFile)) || !isInside(await realpath(dir), modulePath))
          throw new Error(`module "${moduleFile}" is outside the plugin folder`);
        const mod = (await import(`${pathToFileURL(modulePath).href}?v=${generation}`)) as Record<
          string,
          unknown
        >;
        const impl = (mod.default ?? mod) as Partial<ProviderPlugin>;
        const plugin = checkPlugin(
          { manifest, validateConnection: impl.validateConnection, collect: impl.collect },
          `${name}/${moduleFile}`,
        );
        out.push({
          key: pluginKey(manifest),
          plugin,
          source: 'folder',
          origin: dir,
          dependencies: await dependencyFiles(dir),
        });
      } catch (error) {
        problems.push(`plugin folder ${dir}: ${(error as Error).message}`);
      }
    }
    return out;
  }
}

function checkPlugin(candidate: unknown, where: string): ProviderPlugin {
  const plugin = candidate as Partial<ProviderPlugin> | undefined;
  if (!plugin || typeof plugin.validateConnection !== 'function' || typeof plugin.collect !== 'function') {
    throw new Error(`${where} must export validateConnection(ctx) and collect(ctx)`);
  }
  const manifest = parseManifest(plugin.manifest, where);
  const validate: ProviderPlugin['validateConnection'] = plugin.validateConnection.bind(plugin);
  const collect: (ctx: PluginContext) => AsyncIterable<CollectRecord> = plugin.collect.bind(plugin);
  return { manifest, validateConnection: validate, collect };
}

async function dependencyFiles(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of DEPENDENCY_FILES) {
    const content = await readFile(join(dir, name), 'utf8').catch(() => null);
    if (content !== null) files[name] = content;
  }
  return files;
}
