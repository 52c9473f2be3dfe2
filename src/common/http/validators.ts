import { ValidateIf } from 'class-validator';

/**
 * An optional body field: absent is fine, but an explicit `null` is validated (and so
 * rejected by the type validators) instead of slipping through as "not given".
 */
export const OptionalField = () => ValidateIf((_object, value) => value !== undefined);
