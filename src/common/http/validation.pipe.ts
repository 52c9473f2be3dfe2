import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

/** Whitelisting, strict validation pipe: unknown fields are a 400, never ignored. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}
