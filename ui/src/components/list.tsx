import { useEffect, useState, type ReactNode } from 'react';
import { Button } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { api, ApiError, type Page } from '../api';
import { ErrorAlert, Loading } from './common';

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
}

/** A list endpoint as a table: the first page, then "Load more" along `next`. */
export function ListTable<T extends { id: string | number }>({
  path,
  label,
  columns,
  refresh = 0,
  empty = 'Nothing here yet.',
}: {
  path: string;
  label: string;
  columns: Column<T>[];
  refresh?: number;
  empty?: string;
}) {
  const [rows, setRows] = useState<T[]>();
  const [count, setCount] = useState<number>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    api<Page<T>>(path, { signal: controller.signal }).then(
      (page) => {
        setRows(page.results);
        setCount(page.count);
        setNext(page.next);
        setError(undefined);
      },
      (reason: unknown) => {
        if (!controller.signal.aborted)
          setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
      },
    );
    return () => controller.abort();
  }, [path, refresh]);
  const loadMore = async () => {
    if (!next) return;
    setLoading(true);
    try {
      const page = await api<Page<T>>(next);
      setRows((list) => [...(list ?? []), ...page.results]);
      setNext(page.next);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
    } finally {
      setLoading(false);
    }
  };
  if (error) return <ErrorAlert error={error} />;
  if (!rows) return <Loading />;
  return (
    <>
      <p aria-live="polite">
        <span data-count={label}>{count}</span> in all
      </p>
      {rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <Table aria-label={label} variant="compact">
          <Thead>
            <Tr>
              {columns.map((column) => (
                <Th key={column.label} modifier="wrap">
                  {column.label}
                </Th>
              ))}
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((row) => (
              <Tr key={row.id}>
                {columns.map((column) => (
                  <Td key={column.label} dataLabel={column.label}>
                    {column.render(row)}
                  </Td>
                ))}
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {loading && <Loading />}
      {next && !loading && (
        <Button variant="secondary" onClick={() => void loadMore()} style={{ marginTop: 16 }}>
          Load more
        </Button>
      )}
    </>
  );
}
