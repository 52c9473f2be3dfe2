import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { PayloadTooLargeError, ValidationFailedError } from '../errors.js';

/**
 * The one file of a multipart/form-data request, from the named field: 400 when the
 * request is not multipart or the field is missing, 413 past `maxBytes` (read no further).
 */
export async function readUploadedFile(
  request: FastifyRequest,
  field: string,
  maxBytes: number,
  what: { sendHint: string; name: string },
): Promise<{ content: Buffer; filename: string; mimetype: string }> {
  if (!request.isMultipart()) throw new ValidationFailedError({ [field]: [what.sendHint] });
  let part: Awaited<ReturnType<FastifyRequest['file']>>;
  try {
    part = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
  } catch (error) {
    throw malformedMultipart(error, field);
  }
  if (!part || part.fieldname !== field)
    throw new ValidationFailedError({ [field]: [`The "${field}" file field is required.`] });
  try {
    return { content: await part.toBuffer(), filename: part.filename, mimetype: part.mimetype };
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new PayloadTooLargeError(`The ${what.name} is larger than ${maxBytes / 1024 / 1024} MB.`, field);
    throw malformedMultipart(error, field);
  }
}

/**
 * What busboy (under @fastify/multipart) throws for a body that is not multipart/form-data
 * it can read: plain Errors without a code or status, which would otherwise answer 500.
 * @fastify/multipart's own errors (limits, prototype keys) carry a 4xx status already.
 */
const MALFORMED_MULTIPART = new RegExp(
  '^(' +
    [
      'Multipart: Boundary not found',
      'Boundary required',
      'The needle cannot', // an empty boundary, or one longer than 256 characters
      'Unexpected end of multipart data',
      '\\w+ terminated early due to unexpected end of multipart data',
      'Unsupported Content-Type',
      'Missing Content-Type',
    ].join('|') +
    ')',
);

function malformedMultipart(error: unknown, field: string): unknown {
  if (error instanceof Error && MALFORMED_MULTIPART.test(error.message)) {
    const reason = error.message.replace(/\.$/, '');
    return new ValidationFailedError(
      { [field]: [`The multipart/form-data body is malformed: ${reason}.`] },
      `Malformed multipart/form-data body: ${reason}.`,
    );
  }
  return error;
}
