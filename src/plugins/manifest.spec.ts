import { parseManifest } from './manifest.js';

describe('plugin manifests', () => {
  const base = { vendor: 'v', provider_type: 't', infrastructure: 'private_cloud' };

  it('reads a list-of-mappings parameter with its fields', () => {
    const manifest = parseManifest(
      {
        ...base,
        connection_parameters: [
          {
            name: 'servers',
            type: 'objects',
            fields: [{ name: 'host' }, { name: 'phrase', secret: true }],
          },
        ],
      },
      'm',
    );
    expect(manifest.connection_parameters[0]).toMatchObject({
      name: 'servers',
      type: 'objects',
      fields: [
        { name: 'host', type: 'string', secret: false },
        { name: 'phrase', type: 'string', secret: true },
      ],
    });
  });

  it.each([
    [{ name: 'servers', type: 'objects' }, /fields must list/],
    [
      { name: 'servers', type: 'objects', fields: [{ name: 'x', type: 'objects', fields: [] }] },
      /type must be/,
    ],
    [{ name: 'servers', type: 'string', fields: [{ name: 'x' }] }, /only allowed with type objects/],
    ['servers', /must be a mapping/],
  ])('refuses %j', (param, message) => {
    expect(() => parseManifest({ ...base, connection_parameters: [param] }, 'm')).toThrow(message);
  });
});
