import { readFile } from 'node:fs/promises';
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
});
