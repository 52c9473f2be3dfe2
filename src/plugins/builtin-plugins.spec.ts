import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';

describe('built-in plugins', () => {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');

  it.each(
    BUILTIN_PLUGINS.map(({ plugin }) => [
      `${plugin.manifest.vendor}:${plugin.manifest.provider_type}`,
      plugin,
    ]),
  )('the README describes %s with every connection parameter', (key, plugin) => {
    const section = readme.slice(readme.indexOf(`**\`${key}\`**`));
    expect(section.length).toBeLessThan(readme.length); // the plugin has its paragraph
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| Parameter')));
    for (const param of plugin.manifest.connection_parameters) {
      expect({ key, param: param.name, listed: table.includes(`| \`${param.name}\``) }).toEqual({
        key,
        param: param.name,
        listed: true,
      });
      if (param.secret) expect(table).toMatch(new RegExp(`\\| \`${param.name}\` +\\| secret`));
    }
  });

  it('declares secrets as secret and plain-http opt-ins as booleans', () => {
    for (const { plugin } of BUILTIN_PLUGINS) {
      const params = Object.fromEntries(plugin.manifest.connection_parameters.map((p) => [p.name, p]));
      for (const name of ['password', 'secret_access_key', 'session_token', 'token', 'kubeconfig'])
        if (params[name]) expect({ name, secret: params[name].secret }).toEqual({ name, secret: true });
      if (params.allow_http) expect(params.allow_http).toMatchObject({ type: 'boolean', default: false });
    }
  });
});
