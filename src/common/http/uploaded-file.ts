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
  const part = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
  if (!part || part.fieldname !== field)
    throw new ValidationFailedError({ [field]: [`The "${field}" file field is required.`] });
  try {
    return { content: await part.toBuffer(), filename: part.filename, mimetype: part.mimetype };
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw new PayloadTooLargeError(`The ${what.name} is larger than ${maxBytes / 1024 / 1024} MB.`, field);
    throw error;
  }
}
