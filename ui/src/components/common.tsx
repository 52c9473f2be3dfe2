import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Alert, Bullseye, Spinner } from '@patternfly/react-core';
import { api, ApiError } from '../api';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs an API path (null: nothing yet) and reloads when the path changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    api<T>(path, { signal: controller.signal }).then(
      (value) => {
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** An API error as the API said it (its `detail`). */
export function ErrorAlert({ error, title }: { error: ApiError | Error | undefined; title?: string }) {
  if (!error) return null;
  return (
    <Alert variant="danger" isInline title={title ?? 'The request failed'} role="alert">
      {error.message}
    </Alert>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Bullseye>
      <Spinner size="lg" aria-label={label} />
    </Bullseye>
  );
}

/** Renders children once loaded; the spinner or the error until then. */
export function WhenLoaded<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorAlert error={state.error} />;
  if (state.data === undefined) return <Loading />;
  return <>{children(state.data)}</>;
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function fieldError(errors: Record<string, string[]> | undefined, field: string): string | undefined {
  const messages = errors?.[field];
  return messages && messages.length > 0 ? messages.join(' ') : undefined;
}

/** A value as text: objects as JSON, empty as a dash. */
export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '—';
}
