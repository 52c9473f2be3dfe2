import { encodeCursor, type ParsedListQuery, type RequestLocation } from './list-query.js';

/** The list envelope every list endpoint answers with. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** The request's URL with its paging parameters replaced by `paging` (dropped when undefined). */
function pageUrl(location: RequestLocation, paging: Record<string, number | string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(location.query)) {
    if (name in paging) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  for (const [name, value] of Object.entries(paging))
    if (value !== undefined) search.set(name, String(value));
  const qs = search.toString();
  return qs ? `${location.base}?${qs}` : location.base;
}

/**
 * The envelope, with next/previous in the paging style the request used. A keyset page
 * (`cursor`) links forward only: `next` carries the cursor after `nextCursor`'s row.
 */
export function buildPage<T>(
  query: ParsedListQuery,
  count: number,
  results: T[],
  nextCursor: (string | null)[] | null = null,
): Page<T> {
  if (query.style === 'cursor')
    return {
      count,
      next: nextCursor
        ? pageUrl(query.location, { cursor: encodeCursor(query.orderingSignature, nextCursor) })
        : null,
      previous: null,
      results,
    };
  if (query.style === 'limit') {
    // NetBox's LimitOffsetPagination: previous drops `offset` when it would be 0.
    const { pageSize: limit, offset } = query;
    return {
      count,
      next: offset + limit < count ? pageUrl(query.location, { limit, offset: offset + limit }) : null,
      previous:
        offset > 0
          ? pageUrl(query.location, { limit, offset: offset - limit > 0 ? offset - limit : undefined })
          : null,
      results,
    };
  }
  const lastPage = Math.max(1, Math.ceil(count / query.pageSize));
  const page = (n: number) => pageUrl(query.location, { page: n > 1 ? n : undefined });
  return {
    count,
    next: query.page < lastPage ? page(query.page + 1) : null,
    previous: query.page > 1 ? page(Math.min(query.page - 1, lastPage)) : null,
    results,
  };
}

/** A list that is never long enough to page (feature flags): everything on one page. */
export function wholeList<T>(results: T[]): Page<T> {
  return { count: results.length, next: null, previous: null, results };
}
