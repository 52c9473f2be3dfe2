/** The inventory API as the UI calls it: same origin, a local token or the gateway's. */
export const API = '/api/inventory/v1';
const TOKEN_KEY = 'inventory.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: Record<string, string[]> = {},
  ) {
    super(detail);
  }
}

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let onUnauthorized: () => void = () => undefined;

export function setToken(value: string | null): void {
  token = value;
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function hasToken(): boolean {
  return token !== null;
}

export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  // X-Requested-With: the API then answers 401 without a Basic challenge (no browser prompt).
  const result: Record<string, string> = {
    Accept: 'application/json',
    'X-Requested-With': 'inventory-ui',
    ...extra,
  };
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

/** An API path (`/resources/?…`) or an absolute URL the API handed out (`next`). */
export function apiUrl(path: string): string {
  return /^https?:/.test(path) ? path : `${API}${path}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`;
  let errors: Record<string, string[]> = {};
  try {
    const body = (await response.json()) as { detail?: unknown; errors?: Record<string, string[]> };
    if (typeof body.detail === 'string') detail = body.detail;
    if (body.errors && typeof body.errors === 'object') errors = body.errors;
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(response.status, detail, errors);
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal; quiet401?: boolean } = {},
): Promise<T> {
  const response = await fetch(apiUrl(path), {
    method: init.method ?? 'GET',
    headers: headers(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !init.quiet401) onUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Query string from pairs, skipping empty values (arrays repeat the key). */
export function query(
  params: Record<string, string | number | boolean | string[] | undefined | null>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of [value].flat()) if (item !== '') search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface ServerEvent {
  id: number;
  type: string;
  occurred_at: string;
  provider: string | null;
  resource: string | null;
  system: string | null;
  severity: string | null;
  payload: Record<string, unknown>;
}

/**
 * Follows /events/stream/ (Server-Sent Events read with fetch, so the token goes in a
 * header; EventSource cannot send one), reconnecting from the last id after a drop.
 */
export function followEvents(onEvent: (event: ServerEvent) => void, filters = ''): () => void {
  const controller = new AbortController();
  let last: number | null = null;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const extra: Record<string, string> = { Accept: 'text/event-stream' };
        if (last !== null) extra['Last-Event-ID'] = String(last);
        const response = await fetch(apiUrl(`/events/stream/${filters}`), {
          headers: headers(extra),
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw await errorOf(response);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trimStart())
              .join('\n');
            const id = /^id:\s*(\d+)/m.exec(block);
            if (id) last = Number(id[1]);
            if (data && !/^event:\s*overflow/m.test(block)) onEvent(JSON.parse(data) as ServerEvent);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  void run();
  return () => controller.abort();
}
