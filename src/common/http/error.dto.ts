import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDto {
  @ApiProperty({ example: 'Not found.' }) detail: string;
  @ApiPropertyOptional({
    description: 'Per-field (or per-query-parameter) messages, for validation errors.',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { name: ['name must be shorter than or equal to 255 characters'] },
  })
  errors?: Record<string, string[]>;
}
