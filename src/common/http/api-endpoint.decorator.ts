import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ErrorDto } from './error.dto.js';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input: a body field, path id or query parameter (named in `errors`).',
  404: 'No such object.',
  405: 'The method is not allowed on this collection.',
  409: 'The request conflicts with the current state.',
  503: 'The database is unavailable.',
};

export interface EndpointDoc {
  summary: string;
  description?: string;
  /** Error statuses this endpoint answers besides 400 and 503, which every endpoint may. */
  errors?: number[];
}

/** Operation docs plus the standard error responses, so controllers stay one line per concern. */
export function ApiEndpoint(doc: EndpointDoc) {
  const statuses = [...new Set([400, ...(doc.errors ?? []), 503])].sort();
  return applyDecorators(
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error.', type: ErrorDto }),
    ),
  );
}
