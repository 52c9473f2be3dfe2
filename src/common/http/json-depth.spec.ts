import Fastify from 'fastify';
import {
  installJsonDepthLimit,
  isJsonContentType,
  JsonDepthScanner,
  JsonTooDeepError,
  jsonTooDeep,
} from './json-depth.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON nesting limit', () => {
  it('counts objects and arrays, not brackets inside strings or escapes', () => {
    expect(jsonTooDeep(nested(3), 3)).toBe(false);
    expect(jsonTooDeep(nested(4), 3)).toBe(true);
    expect(jsonTooDeep('{"a": {"b": [1, {"c": 2}]}}', 4)).toBe(false);
    expect(jsonTooDeep('{"a": {"b": [1, {"c": 2}]}}', 3)).toBe(true);
    expect(jsonTooDeep('{"a": "[[[[[[{{{{"}', 1)).toBe(false);
    expect(jsonTooDeep('{"a\\"[[[": "\\\\", "b": [[1]]}', 2)).toBe(true);
    expect(jsonTooDeep('{"a\\"[[[": "\\\\", "b": [1]}', 2)).toBe(false);
    expect(jsonTooDeep('"é[ü{"', 0)).toBe(false);
    expect(jsonTooDeep('', 1)).toBe(false);
    // siblings do not add up
    expect(jsonTooDeep(`[${Array.from({ length: 1000 }, () => '[[]]').join(',')}]`, 3)).toBe(false);
  });

  it('keeps its state across chunk boundaries (a split escape, a split string)', () => {
    const scanner = new JsonDepthScanner(2);
    expect(scanner.push(Buffer.from('{"a\\'))).toBe(false);
    expect(scanner.push(Buffer.from('"[[[": "x'))).toBe(false);
    expect(scanner.push(Buffer.from('[[[", "b": ['))).toBe(false);
    expect(scanner.push(Buffer.from('['))).toBe(true);
  });

  it('is linear: a million levels are refused in one short pass', () => {
    const started = Date.now();
    expect(jsonTooDeep(nested(1_000_000), 64)).toBe(true);
    expect(jsonTooDeep(`[${'1,'.repeat(1_000_000)}1]`, 64)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('recognizes JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/merge-patch+json')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('multipart/form-data; boundary=x')).toBe(false);
    expect(isJsonContentType('application/jsonx')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  describe('on a Fastify instance', () => {
    const app = Fastify();
    installJsonDepthLimit(app, {
      maxDepth: 5,
      owns: (config) => (config as { mine?: boolean } | undefined)?.mine === true,
    });
    app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      void reply
        .code(error.statusCode ?? 500)
        .send({ detail: error.message, deep: error instanceof JsonTooDeepError });
    });
    app.post('/mine', { config: { mine: true } }, async (request) => ({ ok: true, body: request.body }));
    app.post('/theirs', async () => ({ ok: true }));
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    beforeAll(() => app.ready());
    afterAll(() => app.close());

    it('answers 400 before parsing a body nested too deeply, on the routes it owns', async () => {
      const deep = await app.inject({
        method: 'POST',
        url: '/mine',
        headers: { 'content-type': 'application/json' },
        payload: nested(200_000),
      });
      expect(deep.statusCode).toBe(400);
      expect(deep.json()).toEqual({ detail: expect.stringContaining('at most 5 levels'), deep: true });

      const fine = await app.inject({
        method: 'POST',
        url: '/mine',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ a: { b: { c: { d: ['x'] } } } }),
      });
      expect(fine.statusCode).toBe(200);
      expect(fine.json().body).toEqual({ a: { b: { c: { d: ['x'] } } } });

      const text = await app.inject({
        method: 'POST',
        url: '/mine',
        headers: { 'content-type': 'text/plain' },
        payload: nested(100),
      });
      expect(text.statusCode).toBe(200);

      const theirs = await app.inject({
        method: 'POST',
        url: '/theirs',
        headers: { 'content-type': 'application/json' },
        payload: nested(100),
      });
      expect(theirs.statusCode).toBe(200);
    });
  });
});
