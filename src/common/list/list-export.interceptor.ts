import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { EXPORT_MEDIA_TYPES } from './list-export.js';
import { exportOf } from './list-runner.js';

/**
 * Sends a list export (`?format=csv|ndjson` or the matching Accept header) as a
 * streamed download instead of the JSON page the handler seems to return.
 */
@Injectable()
export class ListExportInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((answer: unknown) => {
        const listExport = exportOf(answer);
        if (!listExport) return answer;
        return new StreamableFile(listExport.body, {
          type: EXPORT_MEDIA_TYPES[listExport.format],
          disposition: `attachment; filename="${listExport.filename}"`,
        });
      }),
    );
  }
}
