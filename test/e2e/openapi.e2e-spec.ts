import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildOpenApiDocument, createApp } from '../../src/app.factory.js';
import { LocalTokenKeys } from '../../src/auth/local-tokens.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { loadConfig } from '../../src/config/config.js';
import { allFilters } from '../../src/common/list/list-query.js';
import { RESOURCE_LIST } from '../../src/resources/resource.list-spec.js';

/**
 * The committed openapi.json is the API contract clients generate from. It must match
 * what the app serves: after changing an endpoint, run `npm run openapi:write` and
 * review the diff.
 */
describe('OpenAPI document', () => {
  let document: Record<string, any>;
  beforeAll(async () => {
    const app = await createApp({
      config: loadConfig({}),
      databaseUrl: 'postgres://unused@127.0.0.1/unused',
      secretBox: new SecretBox(Buffer.alloc(32)),
      localTokenKeys: LocalTokenKeys.ephemeral(),
      withoutDatabase: true,
      logger: false,
    });
    document = JSON.parse(JSON.stringify(buildOpenApiDocument(app)));
    await app.close();
  });

  it('matches the committed openapi.json snapshot', async () => {
    const committed = JSON.parse(await readFile(new URL('../../openapi.json', import.meta.url), 'utf8'));
    expect(document).toEqual(committed);
  });

  it('documents every endpoint with a summary and every list filter as a parameter', () => {
    for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        expect({
          path,
          method,
          summary: Boolean(operation.summary),
        }).toEqual({
          path,
          method,
          summary: true,
        });
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      }
    }
    const documented = document.paths['/api/inventory/v1/resources'].get.parameters.map((p: any) => p.name);
    expect(documented).toEqual(expect.arrayContaining(Object.keys(allFilters(RESOURCE_LIST))));
  });

  const operations = () =>
    Object.entries<Record<string, any>>(document.paths).flatMap(([path, item]) =>
      Object.entries<any>(item).map(([method, operation]) => ({ path, method, operation })),
    );

  it('is a valid OpenAPI 3 document (swagger-parser validates it whole)', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('declares the gateway JWT, Bearer and Basic security schemes', () => {
    expect(document.components.securitySchemes).toMatchObject({
      gatewayJwt: { type: 'apiKey', in: 'header', name: 'X-DAB-JW-TOKEN' },
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      basic: { type: 'http', scheme: 'basic' },
    });
    expect(document.security).toEqual([{ gatewayJwt: [] }, { bearer: [] }, { basic: [] }]);
  });

  it('references only declared schemes, and says on every operation what it needs', () => {
    const declared = new Set(Object.keys(document.components.securitySchemes));
    for (const { path, method, operation } of operations()) {
      expect({ path, method, security: Array.isArray(operation.security) }).toEqual({
        path,
        method,
        security: true,
      });
      for (const requirement of operation.security)
        for (const scheme of Object.keys(requirement))
          expect({ path, method, scheme, declared: declared.has(scheme) }).toEqual({
            path,
            method,
            scheme,
            declared: true,
          });
      expect(operation).not.toHaveProperty('x-inventory-public');
    }
  });

  it('marks the public routes security: [] and the routes with their own credentials with their scheme', () => {
    const security = (method: string, path: string) => document.paths[path][method].security;
    const user = [{ gatewayJwt: [] }, { bearer: [] }, { basic: [] }];
    for (const path of ['/api/inventory/v1/ping', '/api/inventory/v1/health'])
      expect({ path, security: security('get', path) }).toEqual({ path, security: [] });
    expect(security('post', '/api/inventory/v1/auth/login')).toEqual([]);
    // Anonymous fact_inventory pushes (their organization is FACTS_ANONYMOUS_ORGANIZATION).
    expect(security('post', '/v1/facts')).toEqual([]);
    expect(security('post', '/fact_inventory/v1/facts')).toEqual([]);
    // Pushes and agent routes check system credentials (HTTP Basic) themselves.
    for (const [method, path] of [
      ['post', '/api/inventory/v1/facts'],
      ['post', '/api/systems/inventory'],
      ['get', '/api/systems/info'],
      ['post', '/api/systems/heartbeat'],
    ])
      expect({ path, security: security(method, path) }).toEqual({ path, security: [{ basic: [] }] });
    expect(security('post', '/api/alert_history')).toEqual([{ alertHistoryToken: [] }]);
    // Everything else needs a user's credentials.
    expect(security('get', '/api/inventory/v1/providers')).toEqual(user);
    expect(security('post', '/api/inventory/v1/auth/logout')).toEqual(user);
    expect(security('get', '/api/inventory/v1/users/me')).toEqual(user);
    const open = operations().filter(({ operation }) => operation.security.length === 0);
    expect(open.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      [
        'get /api/inventory/v1/health',
        'get /api/inventory/v1/ping',
        'post /api/inventory/v1/auth/login',
        'post /fact_inventory/v1/facts',
        'post /v1/facts',
      ].sort(),
    );
  });
});
