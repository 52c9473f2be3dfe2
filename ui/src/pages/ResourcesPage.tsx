import { useEffect, useState, type FormEvent } from 'react';
import {
  Button,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Label,
  PageSection,
  TextInput,
  Title,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr, type ThProps } from '@patternfly/react-table';
import { api, ApiError, query, type Page } from '../api';
import { ErrorAlert, formatDate, Loading, useApi } from '../components/common';
import { ExportButton } from '../components/export';
import { Link, navigate, type Location } from '../router';

export interface Resource {
  id: string;
  name: string;
  provider: string;
  provider_name: string;
  resource_type_slug: string;
  vendor_type: string;
  state: string;
  power_state: string | null;
  region: string;
  fqdn: string;
  ip_addresses: string[];
  os_type: string;
  os_name: string;
  cpu_count: number | null;
  memory_mb: number | null;
  disk_gb: number | null;
  last_seen_at: string | null;
}

const STATES = ['running', 'stopped', 'suspended', 'active', 'inactive', 'terminated', 'unknown'];
const FILTERS = [
  'search',
  'state',
  'resource_type_slug',
  'provider',
  'os_type',
  'region',
  'removed',
] as const;
const COLUMNS: { key: string; label: string; ordering?: string }[] = [
  { key: 'name', label: 'Name', ordering: 'name' },
  { key: 'type', label: 'Type' },
  { key: 'provider', label: 'Provider' },
  { key: 'state', label: 'State', ordering: 'state' },
  { key: 'cpu', label: 'vCPUs', ordering: 'cpu_count' },
  { key: 'memory', label: 'Memory (MB)', ordering: 'memory_mb' },
  { key: 'seen', label: 'Last seen', ordering: 'last_seen_at' },
];
const FIELDS =
  'id,name,provider,provider_name,resource_type_slug,vendor_type,state,power_state,cpu_count,memory_mb,last_seen_at';

export function stateColor(state: string): 'green' | 'red' | 'orange' | 'grey' | 'blue' {
  if (state === 'running' || state === 'active') return 'green';
  if (state === 'stopped' || state === 'terminated') return 'red';
  if (state === 'suspended') return 'orange';
  if (state === 'unknown') return 'blue';
  return 'grey';
}

/**
 * /ui/resources/: the resources list with its filters and search (all server-side, in
 * the URL so a view is a link), sortable columns, "Load more" and a CSV export.
 */
export function ResourcesPage({ location }: { location: Location }) {
  const params = location.params;
  const filters = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) ?? '']));
  const ordering = params.get('ordering') ?? 'name';
  const listQuery = query({ ...filters, ordering });
  const [rows, setRows] = useState<Resource[]>([]);
  const [count, setCount] = useState<number>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [search, setSearch] = useState(filters.search);
  const types = useApi<Page<{ slug: string; name: string }>>(
    '/resource-types/?page_size=1000&ordering=name&fields=slug,name',
  );
  const providers = useApi<Page<{ id: string; name: string }>>(
    '/providers/?page_size=1000&ordering=name&fields=id,name',
  );

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    // Keyset pages (`cursor=`): "Load more" at row 100,000 costs what the first page does.
    api<Page<Resource>>(`/resources/${listQuery}&cursor=&page_size=25&fields=${FIELDS}`, {
      signal: controller.signal,
    }).then(
      (page) => {
        setRows(page.results);
        setCount(page.count);
        setNext(page.next);
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
  }, [listQuery]);

  const setParam = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    const text = next.toString();
    navigate(`/resources/${text ? `?${text}` : ''}`, true);
  };
  const loadMore = async () => {
    if (!next) return;
    setLoading(true);
    try {
      const page = await api<Page<Resource>>(next);
      setRows((list) => [...list, ...page.results]);
      setNext(page.next);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
    } finally {
      setLoading(false);
    }
  };
  const sortFor = (column: (typeof COLUMNS)[number], index: number): ThProps['sort'] | undefined => {
    if (!column.ordering) return undefined;
    const field = ordering.replace(/^-/, '');
    return {
      columnIndex: index,
      sortBy:
        field === column.ordering ? { index, direction: ordering.startsWith('-') ? 'desc' : 'asc' } : {},
      onSort: (_event, _index, direction) =>
        setParam({ ordering: `${String(direction) === 'desc' ? '-' : ''}${column.ordering}` }),
    };
  };
  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setParam({ search });
  };

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Resources</Title>
      </PageSection>
      <PageSection>
        <Form onSubmit={submitSearch} isHorizontal={false}>
          <Toolbar>
            <ToolbarContent>
              <ToolbarItem>
                <FormGroup label="Search" fieldId="resource-search">
                  <TextInput
                    id="resource-search"
                    type="search"
                    value={search}
                    placeholder="Name, FQDN, UUID, vendor id…"
                    onChange={(_e, value) => setSearch(value)}
                  />
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem alignSelf="end">
                <Button type="submit" variant="primary">
                  Search
                </Button>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="State" fieldId="filter-state">
                  <FormSelect
                    id="filter-state"
                    value={filters.state}
                    onChange={(_e, value) => setParam({ state: value })}
                  >
                    <FormSelectOption value="" label="Any" />
                    {STATES.map((state) => (
                      <FormSelectOption key={state} value={state} label={state} />
                    ))}
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="Type" fieldId="filter-type">
                  <FormSelect
                    id="filter-type"
                    value={filters.resource_type_slug}
                    onChange={(_e, value) => setParam({ resource_type_slug: value })}
                  >
                    <FormSelectOption value="" label="Any" />
                    {types.data?.results.map((type) => (
                      <FormSelectOption key={type.slug} value={type.slug} label={type.name} />
                    ))}
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="Provider" fieldId="filter-provider">
                  <FormSelect
                    id="filter-provider"
                    value={filters.provider}
                    onChange={(_e, value) => setParam({ provider: value })}
                  >
                    <FormSelectOption value="" label="Any" />
                    {providers.data?.results.map((provider) => (
                      <FormSelectOption key={provider.id} value={provider.id} label={provider.name} />
                    ))}
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="OS type" fieldId="filter-os">
                  <FormSelect
                    id="filter-os"
                    value={filters.os_type}
                    onChange={(_e, value) => setParam({ os_type: value })}
                  >
                    <FormSelectOption value="" label="Any" />
                    <FormSelectOption value="linux" label="linux" />
                    <FormSelectOption value="windows" label="windows" />
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem>
                <FormGroup label="Removed" fieldId="filter-removed">
                  <FormSelect
                    id="filter-removed"
                    value={filters.removed}
                    onChange={(_e, value) => setParam({ removed: value })}
                  >
                    <FormSelectOption value="" label="Current and removed" />
                    <FormSelectOption value="false" label="Current only" />
                    <FormSelectOption value="true" label="Removed only" />
                  </FormSelect>
                </FormGroup>
              </ToolbarItem>
              <ToolbarItem alignSelf="end">
                <ExportButton path={`/resources/${listQuery}`} filename="resources.csv" />
              </ToolbarItem>
            </ToolbarContent>
          </Toolbar>
        </Form>
        <ErrorAlert error={error} />
        <p aria-live="polite">
          {count === undefined ? (
            'Loading…'
          ) : (
            <>
              <span data-count="resources">{count}</span> resources
            </>
          )}
        </p>
        <Table aria-label="Resources" variant="compact">
          <Thead>
            <Tr>
              {COLUMNS.map((column, index) => (
                <Th key={column.key} sort={sortFor(column, index)} modifier="wrap">
                  {column.label}
                </Th>
              ))}
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((resource) => (
              <Tr key={resource.id}>
                <Td dataLabel="Name">
                  <Link to={`/resources/${resource.id}/`}>{resource.name}</Link>
                </Td>
                <Td dataLabel="Type">{resource.resource_type_slug.replace(/_/g, ' ')}</Td>
                <Td dataLabel="Provider">
                  <Link to={`/providers/${resource.provider}/`}>{resource.provider_name}</Link>
                </Td>
                <Td dataLabel="State">
                  <Label color={stateColor(resource.state)}>{resource.state}</Label>
                </Td>
                <Td dataLabel="vCPUs">{resource.cpu_count ?? '—'}</Td>
                <Td dataLabel="Memory (MB)">{resource.memory_mb ?? '—'}</Td>
                <Td dataLabel="Last seen">{formatDate(resource.last_seen_at)}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
        {loading && <Loading />}
        {next && !loading && (
          <Button variant="secondary" onClick={() => void loadMore()} style={{ marginTop: 16 }}>
            Load more
          </Button>
        )}
      </PageSection>
    </>
  );
}
