import { readFile } from 'node:fs/promises';
import { VERSION } from './version.js';

describe('VERSION', () => {
  it('is the version in package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});
