import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ValidationFailedError } from '../errors.js';

/** JSON_MAX_DEPTH's default: objects and arrays nested deeper than this are refused. */
export const DEFAULT_JSON_MAX_DEPTH = 64;

/** A body nested deeper than JSON_MAX_DEPTH: a 400 before anything recursive (validation, services) sees it. */
export class JsonTooDeepError extends ValidationFailedError {
  /** Fastify's body reader keeps a 4xx status of a stream error. */
  readonly statusCode = 400;
  constructor(maxDepth: number) {
    super(
      { body: [`Objects and arrays are nested deeper than ${maxDepth} levels.`] },
      `The JSON body is nested too deeply: at most ${maxDepth} levels of objects and arrays are accepted (JSON_MAX_DEPTH).`,
    );
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Tracks how deeply JSON text nests objects and arrays, chunk by chunk, in one linear
 * pass over the bytes (string contents and their escapes skipped; UTF-8 continuation
 * bytes never look like structure). `{}` is depth 1, `{"a": [1]}` depth 2. It does not
 * validate: malformed text is left for the parser to refuse.
 */
export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxDepth: number) {}

  /** Feeds the next bytes; true as soon as the nesting exceeds maxDepth. */
  push(chunk: Uint8Array): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.depth > this.maxDepth) return true;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
      }
    }
    return false;
  }
}

/** Whether JSON text nests objects/arrays deeper than maxDepth. */
export function jsonTooDeep(text: string | Uint8Array, maxDepth: number): boolean {
  return new JsonDepthScanner(maxDepth).push(typeof text === 'string' ? Buffer.from(text) : text);
}

/** `application/json`, `application/merge-patch+json`, ... (parameters allowed). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*[\w.+-]+\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType);
}

/**
 * Refuses JSON request bodies nested deeper than `maxDepth` with a 400 (JsonTooDeepError)
 * on every route `owns` accepts, before the body is parsed: a preParsing hook passes the
 * body through a scanner, which fails the stream at the first byte past the limit. So a
 * deep body costs one pass over the bytes read so far, whatever parser the route has,
 * and nothing recursive (JSON.parse, class-transformer, canonicalization) ever sees it.
 * Query strings need no check: Fastify's parser does not nest (`a[b]=1` is the key `a[b]`).
 */
export function installJsonDepthLimit(
  fastify: FastifyInstance,
  options: { maxDepth: number; owns: (routeConfig: unknown) => boolean },
): void {
  const { maxDepth } = options;
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (!isJsonContentType(request.headers['content-type']) || !options.owns(request.routeOptions?.config))
      return payload;
    const scanner = new JsonDepthScanner(maxDepth);
    const checked = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        if (scanner.push(chunk)) callback(new JsonTooDeepError(maxDepth));
        else callback(null, chunk);
      },
    });
    payload.on('error', (error) => checked.destroy(error));
    return payload.pipe(checked);
  });
}
