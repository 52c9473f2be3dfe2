import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { asString } from '../connection-parameters.js';
import type { PluginContext, ProviderDocument, ProviderPlugin } from '../plugin.contract.js';
import { detectFormat, DocumentError, documentRecords } from './document-reader.js';

/** The largest document a run reads (an export of ~100,000 rows). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/**
 * The document to import: downloaded from the provider's endpoint (an https:// URL) when
 * it has one, otherwise the file uploaded to the provider (`PUT /providers/{id}/document/`).
 */
async function readDocument(ctx: PluginContext): Promise<ProviderDocument> {
  const endpoint = ctx.provider.endpoint.trim();
  if (!endpoint) {
    const stored = await ctx.document?.();
    if (!stored)
      throw new DocumentError(
        'No document: upload one (PUT /providers/{id}/document/) or set the endpoint to an https:// URL.',
      );
    return stored;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DocumentError(`The endpoint "${endpoint}" is not a URL.`);
  }
  if (url.protocol === 'http:' && ctx.config.allow_http !== true)
    throw new DocumentError('Refusing a plain http:// URL (set allow_http to allow it).');
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new DocumentError(`The endpoint must be an https:// URL, not ${url.protocol}.`);
  const timeoutMs = Math.max(1, Number(ctx.config.timeout_seconds ?? 60)) * 1000;
  const authorization = asString(ctx.config.authorization);
  const shown = `${url.protocol}//${url.host}${url.pathname}`; // never the query (tokens) or user:pass@
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        headers: {
          accept: 'text/csv, application/json, application/yaml, */*',
          ...(authorization ? { authorization } : {}),
        },
        rejectUnauthorized: ctx.config.verify_ssl !== false,
        timeout: timeoutMs,
        signal: ctx.signal,
      },
      (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          res.resume();
          return reject(new DocumentError(`${shown} answered HTTP ${res.statusCode}.`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_DOCUMENT_BYTES) {
            req.destroy(new DocumentError(`${shown} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            filename: url.pathname.split('/').pop() ?? '',
            content_type: String(res.headers['content-type'] ?? ''),
            content: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new DocumentError(`${shown} did not answer within ${timeoutMs / 1000}s.`)),
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error instanceof DocumentError
          ? error
          : new DocumentError(
              `Cannot read ${shown}: ${error.code?.startsWith('ERR_TLS') || /CERT/.test(error.code ?? '') ? `TLS certificate not trusted (${error.code}); set verify_ssl to false for self-signed certificates` : (error.code ?? error.message)}.`,
            ),
      ),
    );
    req.end();
  });
}

/** `file:import`: bare metal and CMDB exports (CSV, JSON or YAML), uploaded or fetched from a URL. */
export const fileImportPlugin: ProviderPlugin = {
  manifest: {
    vendor: 'file',
    provider_type: 'import',
    version: '1.0.0',
    display_name: 'File import (CSV, JSON, YAML)',
    description:
      'One resource per row of a document (bare-metal inventories, CMDB exports): ems_ref, name, resource_type or vendor_type (with vendor), any resource field, properties.*, tags.*, vendor_identifiers.*, and an optional relationships section. The document is uploaded to the provider or fetched from its endpoint (an https:// URL). Bad rows are rejected with their line and counted; the others are collected.',
    infrastructure: 'bare_metal',
    supported_resource_types: [],
    connection_parameters: [
      {
        name: 'format',
        type: 'string',
        required: false,
        secret: false,
        default: 'auto',
        description: 'auto (by file name, content type, then content), csv, json or yaml.',
      },
      {
        name: 'default_vendor',
        type: 'string',
        required: false,
        secret: false,
        description:
          "Whose vendor_type names rows give without a vendor column (e.g. dell, aws); default the row's own.",
      },
      {
        name: 'authorization',
        type: 'string',
        required: false,
        secret: true,
        description: 'Authorization header sent to the endpoint URL (e.g. "Bearer …" of a CMDB API).',
      },
      {
        name: 'verify_ssl',
        type: 'boolean',
        required: false,
        secret: false,
        default: true,
        description: "Verify the URL's TLS certificate.",
      },
      {
        name: 'allow_http',
        type: 'boolean',
        required: false,
        secret: false,
        default: false,
        description: 'Accept a plain http:// endpoint (the authorization header then travels unencrypted).',
      },
      {
        name: 'timeout_seconds',
        type: 'integer',
        required: false,
        secret: false,
        default: 60,
        description: 'How long to wait for the URL.',
      },
    ],
    requires_endpoint: false,
  },
  async validateConnection(ctx) {
    try {
      const doc = await readDocument(ctx);
      const text = doc.content.toString('utf8');
      const format = detectFormat(asString(ctx.config.format, 'auto'), doc.filename, doc.content_type, text);
      let rows = 0;
      let rejected = 0;
      for (const record of documentRecords(text, format, { vendor: '', wanted: () => true })) {
        if (record.kind === 'resource') rows++;
        if (record.kind === 'rejected') rejected++;
      }
      return {
        ok: true,
        message: `${doc.filename || 'The document'} (${format}): ${rows} resource row(s)${rejected ? `, ${rejected} rejected` : ''}.`,
      };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  },
  async *collect(ctx) {
    const doc = await readDocument(ctx);
    const text = doc.content.toString('utf8');
    const format = detectFormat(asString(ctx.config.format, 'auto'), doc.filename, doc.content_type, text);
    const targets = ctx.options.target_resource_types;
    ctx.logger.info(`Importing ${doc.filename || 'the document'} (${format}, ${doc.content.length} bytes)`);
    yield* documentRecords(text, format, {
      vendor: asString(ctx.config.default_vendor).trim(),
      wanted: (record) => !targets.length || !record.resource_type || targets.includes(record.resource_type),
    });
  },
};
