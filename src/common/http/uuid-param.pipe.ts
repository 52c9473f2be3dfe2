import { Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors.js';

/** Any RFC 4122 layout (PostgreSQL accepts every version). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id in the path is a 400, not a 500 from the database. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID_PATTERN.test(value)) {
      throw new ValidationFailedError(
        { id: [`"${value}" is not a valid UUID.`] },
        `"${value}" is not a valid UUID.`,
      );
    }
    return value.toLowerCase();
  }
}

/** Integer ids (organizations, teams, users). */
@Injectable()
export class IntParamPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,9}$/.test(value)) {
      throw new ValidationFailedError(
        { id: [`"${value}" is not a valid id.`] },
        `"${value}" is not a valid id.`,
      );
    }
    return Number(value);
  }
}
