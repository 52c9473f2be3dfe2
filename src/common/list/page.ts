import type { ParsedListQuery, RequestLocation } from './list-query.js';

/** The list envelope every list endpoint answers with. */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

function pageUrl(location: RequestLocation, page: number): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(location.query)) {
    if (name === 'page') continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  if (page > 1) search.set('page', String(page));
  const qs = search.toString();
  return qs ? `${location.base}?${qs}` : location.base;
}

export function buildPage<T>(query: ParsedListQuery, count: number, results: T[]): Page<T> {
  const lastPage = Math.max(1, Math.ceil(count / query.pageSize));
  return {
    count,
    next: query.page < lastPage ? pageUrl(query.location, query.page + 1) : null,
    previous: query.page > 1 ? pageUrl(query.location, Math.min(query.page - 1, lastPage)) : null,
    results,
  };
}

/** A list that is never long enough to page (feature flags): everything on one page. */
export function wholeList<T>(results: T[]): Page<T> {
  return { count: results.length, next: null, previous: null, results };
}
