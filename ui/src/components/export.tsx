import { useState } from 'react';
import { Button } from '@patternfly/react-core';
import { apiUrl, headers } from '../api';
import { ErrorAlert } from './common';

/**
 * Downloads a list as CSV (`?format=csv`, streamed by the API). Fetched with the UI's
 * token (a plain link would carry none), then saved from the browser.
 */
export function ExportButton({ path, filename }: { path: string; filename: string }) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const url = apiUrl(`${path}${path.includes('?') ? '&' : '?'}format=csv`);
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const response = await fetch(url, { headers: headers({ Accept: 'text/csv' }) });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { detail?: string };
        throw new Error(body.detail ?? `${response.status} ${response.statusText}`);
      }
      const blob = await response.blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = filename;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        variant="secondary"
        component="a"
        href={url}
        isLoading={busy}
        onClick={(event) => {
          event.preventDefault();
          void download();
        }}
      >
        Export CSV
      </Button>
      <ErrorAlert error={error} title="Export failed" />
    </>
  );
}
