import { useState } from 'react';
import {
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Gallery,
  Label,
  LabelGroup,
  PageSection,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { query, type Page } from '../api';
import { LineChart, StackedDayChart, StateBand } from '../components/charts';
import { formatDate, show, useApi, WhenLoaded } from '../components/common';
import { diff } from '../components/facts-diff';
import { Graph } from '../components/graph';
import { Link } from '../router';
import { stateColor, type Resource } from './ResourcesPage';

interface FullResource extends Resource {
  canonical_id: string;
  ems_ref: string;
  vendor_identifiers: Record<string, unknown>;
  resource_category: string;
  availability_zone: string;
  cloud_tenant: string;
  flavor: string;
  properties: Record<string, unknown>;
  provider_tags: Record<string, string>;
  description: string;
  first_discovered_at: string;
  seen_count: number;
  removed_at: string | null;
  organization: number;
}
interface Sighting {
  id: string;
  seen_at: string;
  state: string;
  power_state: string | null;
  cpu_count: number | null;
  memory_mb: number | null;
  disk_gb: number | null;
  metrics: Record<string, number>;
}
interface History {
  summary: { total_sightings: number };
  timeline: Sighting[];
}
interface Change {
  id: string;
  detected_at: string;
  source: string;
  field_path: string;
  change_type: string;
  previous_value: unknown;
  current_value: unknown;
  category: string;
  severity: string;
}
interface Relationship {
  id: string;
  source: string;
  source_name: string;
  source_type: string;
  target: string;
  target_name: string;
  target_type: string;
  relationship_type: string;
}
interface Snapshot {
  id: string;
  received_at: string;
  system_facts?: Record<string, unknown>;
  package_facts?: Record<string, unknown>;
  local_facts?: Record<string, unknown>;
}
const payload = (s: Snapshot) => ({
  system_facts: s.system_facts ?? {},
  package_facts: s.package_facts ?? {},
  local_facts: s.local_facts ?? {},
});

function Details({ items }: { items: [string, unknown][] }) {
  return (
    <DescriptionList isCompact isHorizontal>
      {items.map(([term, value]) => (
        <DescriptionListGroup key={term}>
          <DescriptionListTerm>{term}</DescriptionListTerm>
          <DescriptionListDescription>{show(value)}</DescriptionListDescription>
        </DescriptionListGroup>
      ))}
    </DescriptionList>
  );
}

function HistoryCharts({ id }: { id: string }) {
  const history = useApi<History>(`/resources/${id}/history/?timeline_limit=500`);
  return (
    <WhenLoaded state={history}>
      {(h) => {
        const points = [...h.timeline].sort((a, b) => a.seen_at.localeCompare(b.seen_at));
        if (points.length === 0) return <p>No sightings yet.</p>;
        const metricNames = [...new Set(points.flatMap((p) => Object.keys(p.metrics ?? {})))];
        const series: [string, string, (p: Sighting) => number | null, string?][] = [
          ['vCPUs', 'cpu', (p) => p.cpu_count],
          ['Memory (MB)', 'memory', (p) => p.memory_mb],
          ['Disk (GB)', 'disk', (p) => p.disk_gb],
          ...metricNames.map((name): [string, string, (p: Sighting) => number | null, string?] => [
            name.replace(/_/g, ' '),
            name,
            (p) => p.metrics?.[name] ?? null,
            name.endsWith('_pct') ? '%' : undefined,
          ]),
        ];
        return (
          <>
            <h3>State over time</h3>
            <StateBand
              points={points.map((p) => ({ at: p.seen_at, state: p.state }))}
              label="State over time"
            />
            <Gallery hasGutter minWidths={{ default: '100%', lg: '45%' }}>
              {series
                .filter(([, , pick]) => points.some((p) => pick(p) !== null))
                .map(([title, key, pick, unit]) => (
                  <div key={key}>
                    <h3>{title}</h3>
                    <LineChart
                      label={`${title} over time`}
                      unit={unit}
                      points={points.map((p) => ({ at: p.seen_at, value: pick(p) }))}
                    />
                  </div>
                ))}
            </Gallery>
          </>
        );
      }}
    </WhenLoaded>
  );
}

function Sightings({ id }: { id: string }) {
  const [url, setUrl] = useState(`/resources/${id}/sightings/?page_size=10&ordering=-seen_at`);
  const sightings = useApi<Page<Sighting>>(url);
  return (
    <WhenLoaded state={sightings}>
      {(page) => (
        <>
          <p>{page.count} sightings</p>
          <Table aria-label="Sightings" variant="compact">
            <Thead>
              <Tr>
                <Th>Seen</Th>
                <Th>State</Th>
                <Th>vCPUs</Th>
                <Th>Memory (MB)</Th>
                <Th>Disk (GB)</Th>
              </Tr>
            </Thead>
            <Tbody>
              {page.results.map((s) => (
                <Tr key={s.id}>
                  <Td dataLabel="Seen">{formatDate(s.seen_at)}</Td>
                  <Td dataLabel="State">{s.state}</Td>
                  <Td dataLabel="vCPUs">{show(s.cpu_count)}</Td>
                  <Td dataLabel="Memory (MB)">{show(s.memory_mb)}</Td>
                  <Td dataLabel="Disk (GB)">{show(s.disk_gb)}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
          {page.previous && (
            <Button variant="link" onClick={() => setUrl(page.previous as string)}>
              Newer
            </Button>
          )}
          {page.next && (
            <Button variant="link" onClick={() => setUrl(page.next as string)}>
              Older
            </Button>
          )}
        </>
      )}
    </WhenLoaded>
  );
}

function Changes({ id }: { id: string }) {
  const timeline = useApi<Page<{ date: string; severities: Record<string, number> }>>(
    `/resources/${id}/timeline/?fill=true&page_size=60`,
  );
  const changes = useApi<Page<Change>>(`/resources/${id}/changes/?page_size=50&ordering=-detected_at`);
  return (
    <>
      <WhenLoaded state={timeline}>
        {(page) =>
          page.results.length > 0 ? (
            <StackedDayChart
              days={[...page.results].sort((a, b) => a.date.localeCompare(b.date))}
              label="This resource's changes per day by severity"
            />
          ) : (
            <p>No changes recorded.</p>
          )
        }
      </WhenLoaded>
      <WhenLoaded state={changes}>
        {(page) => (
          <Table aria-label="Changes" variant="compact">
            <Thead>
              <Tr>
                <Th>Detected</Th>
                <Th>Field</Th>
                <Th>Change</Th>
                <Th>Before</Th>
                <Th>After</Th>
                <Th>Severity</Th>
                <Th>Source</Th>
              </Tr>
            </Thead>
            <Tbody>
              {page.results.map((c) => (
                <Tr key={c.id}>
                  <Td dataLabel="Detected">{formatDate(c.detected_at)}</Td>
                  <Td dataLabel="Field">{c.field_path}</Td>
                  <Td dataLabel="Change">{c.change_type}</Td>
                  <Td dataLabel="Before">{show(c.previous_value)}</Td>
                  <Td dataLabel="After">{show(c.current_value)}</Td>
                  <Td dataLabel="Severity">{c.severity}</Td>
                  <Td dataLabel="Source">{c.source.replace(/_/g, ' ')}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </WhenLoaded>
    </>
  );
}

function Facts({ id }: { id: string }) {
  const snapshots = useApi<Page<Snapshot>>(`/resources/${id}/facts/?include=payload&page_size=20`);
  const [older, setOlder] = useState(1);
  const [newer, setNewer] = useState(0);
  return (
    <WhenLoaded state={snapshots}>
      {(page) => {
        if (page.results.length === 0) return <p>No facts were pushed for this resource.</p>;
        const when = (s: Snapshot) => formatDate(s.received_at);
        const a = page.results[Math.min(older, page.results.length - 1)];
        const b = page.results[Math.min(newer, page.results.length - 1)];
        const rows = diff(payload(a), payload(b));
        return (
          <>
            <p>{page.count} snapshots (newest first).</p>
            {page.results.length > 1 && (
              <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
                <FormGroup label="Compare" fieldId="facts-older">
                  <FormSelect
                    id="facts-older"
                    value={String(older)}
                    onChange={(_e, v) => setOlder(Number(v))}
                  >
                    {page.results.map((s, i) => (
                      <FormSelectOption key={s.id} value={String(i)} label={when(s)} />
                    ))}
                  </FormSelect>
                </FormGroup>
                <FormGroup label="with" fieldId="facts-newer">
                  <FormSelect
                    id="facts-newer"
                    value={String(newer)}
                    onChange={(_e, v) => setNewer(Number(v))}
                  >
                    {page.results.map((s, i) => (
                      <FormSelectOption key={s.id} value={String(i)} label={when(s)} />
                    ))}
                  </FormSelect>
                </FormGroup>
              </div>
            )}
            {page.results.length > 1 ? (
              rows.length === 0 ? (
                <p>The two snapshots are the same.</p>
              ) : (
                <Table aria-label="Facts diff" variant="compact">
                  <Thead>
                    <Tr>
                      <Th>Path</Th>
                      <Th>Change</Th>
                      <Th>Before</Th>
                      <Th>After</Th>
                    </Tr>
                  </Thead>
                  <Tbody>
                    {rows.slice(0, 500).map((row) => (
                      <Tr key={row.path}>
                        <Td dataLabel="Path">{row.path}</Td>
                        <Td dataLabel="Change">{row.change}</Td>
                        <Td dataLabel="Before">{row.before ?? ''}</Td>
                        <Td dataLabel="After">{row.after ?? ''}</Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              )
            ) : (
              <pre style={{ maxHeight: 320, overflow: 'auto' }}>{JSON.stringify(payload(b), null, 2)}</pre>
            )}
          </>
        );
      }}
    </WhenLoaded>
  );
}

function Neighbourhood({ resource }: { resource: FullResource }) {
  const edges = useApi<Page<Relationship>>(
    `/resource-relationships/${query({ resource: resource.id, removed: 'false', page_size: 500 })}`,
  );
  return (
    <WhenLoaded state={edges}>
      {(page) => {
        if (page.results.length === 0) return <p>No relationships.</p>;
        const nodes = new Map([
          [resource.id, { id: resource.id, label: resource.name, type: resource.resource_type_slug }],
        ]);
        for (const e of page.results) {
          nodes.set(e.source, { id: e.source, label: e.source_name, type: e.source_type });
          nodes.set(e.target, { id: e.target, label: e.target_name, type: e.target_type });
        }
        return (
          <>
            <Graph
              center={resource.id}
              label={`Relationships of ${resource.name}`}
              nodes={[...nodes.values()]}
              edges={page.results.map((e) => ({
                id: e.id,
                source: e.source,
                target: e.target,
                type: e.relationship_type,
              }))}
            />
            <ul>
              {page.results.map((e) => (
                <li key={e.id}>
                  <Link to={`/resources/${e.source}/`}>{e.source_name}</Link>{' '}
                  {e.relationship_type.replace(/_/g, ' ')}{' '}
                  <Link to={`/resources/${e.target}/`}>{e.target_name}</Link>
                </li>
              ))}
            </ul>
          </>
        );
      }}
    </WhenLoaded>
  );
}

/** /ui/resources/{id}/: one resource, its history, changes, facts and neighbourhood. */
export function ResourcePage({ id }: { id: string }) {
  const resource = useApi<FullResource>(`/resources/${id}/`);
  return (
    <WhenLoaded state={resource}>
      {(r) => (
        <>
          <PageSection>
            <Title headingLevel="h1">{r.name}</Title>
            <p>
              {r.vendor_type || r.resource_type_slug} from{' '}
              <Link to={`/providers/${r.provider}/`}>{r.provider_name}</Link>{' '}
              <Label color={stateColor(r.state)}>{r.state}</Label>
              {r.removed_at && <Label color="red">removed {formatDate(r.removed_at)}</Label>}
            </p>
          </PageSection>
          <PageSection>
            <Gallery hasGutter minWidths={{ default: '100%', lg: '48%' }}>
              <Card>
                <CardTitle component="h2">Identity</CardTitle>
                <CardBody>
                  <Details
                    items={[
                      ['Type', r.resource_type_slug],
                      ['Canonical id', r.canonical_id],
                      ['Vendor id (ems_ref)', r.ems_ref],
                      ['Vendor identifiers', r.vendor_identifiers],
                      ['FQDN', r.fqdn],
                      ['IP addresses', r.ip_addresses.join(', ')],
                      ['OS', [r.os_type, r.os_name].filter(Boolean).join(' / ')],
                      ['vCPUs', r.cpu_count],
                      ['Memory (MB)', r.memory_mb],
                      ['Disk (GB)', r.disk_gb],
                      ['Region', r.region],
                      ['Zone', r.availability_zone],
                      ['First discovered', formatDate(r.first_discovered_at)],
                      ['Last seen', formatDate(r.last_seen_at)],
                      ['Seen', r.seen_count],
                    ]}
                  />
                </CardBody>
              </Card>
              <Card>
                <CardTitle component="h2">Properties and tags</CardTitle>
                <CardBody>
                  <LabelGroup categoryName="Tags" numLabels={20}>
                    {Object.entries(r.provider_tags).map(([key, value]) => (
                      <Label key={key}>{`${key}=${value}`}</Label>
                    ))}
                  </LabelGroup>
                  <Details items={Object.entries(r.properties).sort(([a], [b]) => a.localeCompare(b))} />
                </CardBody>
              </Card>
            </Gallery>
          </PageSection>
          <PageSection>
            <Card>
              <CardTitle component="h2">History</CardTitle>
              <CardBody>
                <HistoryCharts id={r.id} />
              </CardBody>
            </Card>
          </PageSection>
          <PageSection>
            <Card>
              <CardTitle component="h2">Relationships</CardTitle>
              <CardBody>
                <Neighbourhood resource={r} />
              </CardBody>
            </Card>
          </PageSection>
          <PageSection>
            <Card>
              <CardTitle component="h2">Changes</CardTitle>
              <CardBody>
                <Changes id={r.id} />
              </CardBody>
            </Card>
          </PageSection>
          <PageSection>
            <Gallery hasGutter minWidths={{ default: '100%', lg: '48%' }}>
              <Card>
                <CardTitle component="h2">Sightings</CardTitle>
                <CardBody>
                  <Sightings id={r.id} />
                </CardBody>
              </Card>
              <Card>
                <CardTitle component="h2">Pushed facts</CardTitle>
                <CardBody>
                  <Facts id={r.id} />
                </CardBody>
              </Card>
            </Gallery>
          </PageSection>
        </>
      )}
    </WhenLoaded>
  );
}
