import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { NotFoundError, ValidationFailedError } from '../common/errors.js';
import { readUploadedFile } from '../common/http/uploaded-file.js';
import { ActivityService } from '../platform/activity.service.js';
import { MAX_DOCUMENT_BYTES } from '../plugins/file-import/index.js';
import { AccessService } from '../rbac/access.service.js';
import { type ProviderDocumentDto, toProviderDocumentDto } from './dto/provider-document.dto.js';
import { ProvidersService } from './providers.service.js';

const COLUMNS = 'provider_id, filename, content_type, size_bytes, sha256, uploaded_at, uploaded_by';

/** The file stored with a provider (one each): what a `file:import` provider collects. */
@Injectable()
export class ProviderDocumentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly providers: ProvidersService,
    private readonly access: AccessService,
    private readonly activity: ActivityService,
  ) {}

  async get(actor: Actor, providerId: string): Promise<ProviderDocumentDto> {
    await this.providers.get(actor, providerId);
    const [row] = await this.db.query<Parameters<typeof toProviderDocumentDto>[0][]>(
      `SELECT ${COLUMNS} FROM provider_documents WHERE provider_id = $1`,
      [providerId],
    );
    if (!row) throw new NotFoundError(`Provider ${providerId} has no document.`);
    return toProviderDocumentDto(row);
  }

  /** Stores (or replaces) the uploaded file: multipart/form-data, field `file`. */
  async put(actor: Actor, providerId: string, request: FastifyRequest): Promise<ProviderDocumentDto> {
    const provider = await this.providers.get(actor, providerId);
    await this.access.require(actor, 'provider.change', {
      organizationId: provider.organization,
      providerId,
    });
    const part = await readUploadedFile(request, 'file', MAX_DOCUMENT_BYTES, {
      sendHint: 'Send multipart/form-data with the document in the "file" field.',
      name: 'document',
    });
    const content = part.content;
    if (content.length === 0) throw new ValidationFailedError({ file: ['The document is empty.'] });
    const filename = (part.filename || 'document').replace(/[^\w.@ -]+/g, '_').slice(0, 255);
    const contentType = (part.mimetype || 'application/octet-stream').slice(0, 255);
    const sha256 = createHash('sha256').update(content).digest('hex');
    return this.db.transaction(async (manager) => {
      const [row] = await manager.query<Parameters<typeof toProviderDocumentDto>[0][]>(
        `INSERT INTO provider_documents (provider_id, filename, content_type, size_bytes, sha256, content, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (provider_id) DO UPDATE SET filename = EXCLUDED.filename, content_type = EXCLUDED.content_type,
           size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, content = EXCLUDED.content,
           uploaded_by = EXCLUDED.uploaded_by, uploaded_at = now()
         RETURNING ${COLUMNS}`,
        [providerId, filename, contentType, content.length, sha256, content, actor.id],
      );
      await this.activity.record(manager, actor, {
        operation: 'upload_document',
        objectType: 'provider',
        objectId: providerId,
        objectRepr: provider.name,
        organizationId: provider.organization,
        changes: { document: { filename, size_bytes: content.length, sha256 } },
      });
      return toProviderDocumentDto(row);
    });
  }

  async remove(actor: Actor, providerId: string): Promise<void> {
    const provider = await this.providers.get(actor, providerId);
    await this.access.require(actor, 'provider.change', {
      organizationId: provider.organization,
      providerId,
    });
    await this.db.transaction(async (manager) => {
      const deleted = await manager.query<unknown[]>(
        `DELETE FROM provider_documents WHERE provider_id = $1 RETURNING provider_id`,
        [providerId],
      );
      if (!deleted.length) throw new NotFoundError(`Provider ${providerId} has no document.`);
      await this.activity.record(manager, actor, {
        operation: 'delete_document',
        objectType: 'provider',
        objectId: providerId,
        objectRepr: provider.name,
        organizationId: provider.organization,
      });
    });
  }
}
