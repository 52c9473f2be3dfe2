import { ApiProperty } from '@nestjs/swagger';

/** What is stored with a provider (never the content itself). */
export class ProviderDocumentDto {
  @ApiProperty({ format: 'uuid' }) provider: string;
  @ApiProperty({ example: 'cmdb-export.csv' }) filename: string;
  @ApiProperty({ example: 'text/csv' }) content_type: string;
  @ApiProperty({ example: 48213 }) size_bytes: number;
  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' })
  sha256: string;
  @ApiProperty({ format: 'date-time' }) uploaded_at: string;
  @ApiProperty({ type: Number, nullable: true, description: 'User id of the uploader.' }) uploaded_by:
    number | null;
}

export function toProviderDocumentDto(row: {
  provider_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_at: Date;
  uploaded_by: number | null;
}): ProviderDocumentDto {
  return {
    provider: row.provider_id,
    filename: row.filename,
    content_type: row.content_type,
    size_bytes: row.size_bytes,
    sha256: row.sha256,
    uploaded_at: row.uploaded_at.toISOString(),
    uploaded_by: row.uploaded_by,
  };
}
