import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SERVICE_NAME } from '../version.js';

/** Where the web UI is served; `/` redirects here. */
export const UI_PATH = '/ui/';
/**
 * The same UI inside the service's gateway slug, for a platform gateway that routes only
 * `/api/inventory/` to the service: the UI is then reachable through the gateway (which
 * adds its token to every request) at its own origin.
 */
export const GATEWAY_UI_PATH = `/api/${SERVICE_NAME}/ui/`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The folder `npm run build` writes the UI to: `dist/ui` of the package this module is
 * part of (found by walking up to package.json, so it is the same from `dist/` and from
 * the TypeScript sources under jest).
 */
export function defaultUiDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'ui');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'dist', 'ui');
}

/**
 * Serves the built single-page UI at /ui/ (files from `dir`; any other path under /ui/
 * answers index.html so deep links work) and redirects / there. Hashed assets are
 * cached for a year, index.html never. Routes are outside the API prefix, so the API
 * index does not list them.
 */
export function registerWebUi(fastify: FastifyInstance, dir: string = defaultUiDir()): void {
  const root = normalize(dir + sep);
  const indexFile = join(root, 'index.html');
  // Read again when a rebuild replaced it (it names the hashed assets of its build).
  let index: { body: Buffer; mtimeMs: number } | null = null;
  const loadIndex = (): Buffer | null => {
    if (!existsSync(indexFile)) return null;
    const { mtimeMs } = statSync(indexFile);
    if (index?.mtimeMs !== mtimeMs) index = { body: readFileSync(indexFile), mtimeMs };
    return index.body;
  };
  // The build's URLs are relative (Vite base './'); a <base> names the mount they resolve
  // against, and the UI's router reads its own base path from it (ui/src/router.tsx).
  const sendIndex = (reply: FastifyReply, mount: string) => {
    const html = loadIndex();
    if (!html)
      return reply
        .code(404)
        .send({ detail: 'The web UI is not built: run `npm run build` (it writes dist/ui/).' });
    return reply
      .header('content-type', TYPES['.html'])
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(html.toString('utf8').replace('<head>', `<head>\n    <base href="${mount}" />`));
  };
  fastify.get('/', async (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`${UI_PATH}${query}`, 302);
  });
  for (const mount of [UI_PATH, GATEWAY_UI_PATH]) {
    const bare = mount.slice(0, -1);
    // The router ignores trailing slashes: /ui and /ui/ are this one route.
    fastify.get(bare, async (request, reply) =>
      request.url.split('?')[0] === bare ? reply.redirect(mount, 301) : sendIndex(reply, mount),
    );
    fastify.get(`${mount}*`, async (request, reply) => {
      const rest = ((request.params as Record<string, string>)['*'] ?? '').split('?')[0];
      if (rest.startsWith('assets/') || /^[\w.-]+\.(svg|png|ico|json|txt)$/.test(rest)) {
        const path = normalize(join(root, decodeURIComponent(rest)));
        if (!path.startsWith(root)) return reply.code(404).send({ detail: 'Not found.' });
        try {
          if (!statSync(path).isFile()) throw new Error('not a file');
          const body = await readFile(path);
          return reply
            .header('content-type', TYPES[extname(path)] ?? 'application/octet-stream')
            .header(
              'cache-control',
              rest.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
            )
            .header('x-content-type-options', 'nosniff')
            .send(body);
        } catch {
          return reply.code(404).send({ detail: 'Not found.' });
        }
      }
      return sendIndex(reply, mount);
    });
  }
}
