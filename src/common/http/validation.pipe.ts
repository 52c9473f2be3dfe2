import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedError } from '../errors.js';

/** Flattens class-validator errors into `{"field.nested": ["message", ...]}`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    // Optional fields are skipped when absent, so a failing absent value is a missing required field.
    if (error.constraints)
      out[path] = error.value === undefined ? [`${path} is required.`] : Object.values(error.constraints);
    if (error.children?.length) Object.assign(out, flattenValidationErrors(error.children, path));
  }
  return out;
}

/** More top-level fields than any DTO declares: refused before class-transformer walks them all. */
export const MAX_BODY_FIELDS = 256;

const BUILT_IN_TYPES = new Set<unknown>([String, Number, Boolean, Array, Object, Buffer]);

/**
 * A DTO body must be a JSON object: an array or a scalar would otherwise be mapped
 * element by element (an array of 200,000 numbers costs seconds) or, for a DTO without
 * required fields, reach the service as it is. And a body with more fields than any DTO
 * has is refused before class-validator lists each unknown one (~50 µs a field).
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'body' && metadata.metatype && !BUILT_IN_TYPES.has(metadata.metatype);
    if (dto && value !== undefined && value !== null) {
      if (typeof value !== 'object' || Array.isArray(value))
        throw new ValidationFailedError(
          { body: [`Expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}.`] },
          'The body must be a JSON object.',
        );
      if (Object.keys(value).length > MAX_BODY_FIELDS)
        throw new ValidationFailedError(
          { body: [`At most ${MAX_BODY_FIELDS} fields are accepted.`] },
          `The body has more than ${MAX_BODY_FIELDS} fields.`,
        );
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisting, strict validation pipe: unknown fields are a 400, never ignored. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}
