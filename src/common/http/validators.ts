import { ValidateBy, ValidateIf } from 'class-validator';

/**
 * An optional body field: absent is fine, but an explicit `null` is validated (and so
 * rejected by the type validators) instead of slipping through as "not given".
 */
export const OptionalField = () => ValidateIf((_object, value) => value !== undefined);

/** An organization id (a positive whole number) or its name. */
export const IsOrganizationRef = () =>
  ValidateBy({
    name: 'isOrganizationRef',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2_147_483_647) ||
        (typeof value === 'string' && value.trim().length > 0 && value.length <= 512),
      defaultMessage: () => 'organization must be an organization id (a positive whole number) or name',
    },
  });
