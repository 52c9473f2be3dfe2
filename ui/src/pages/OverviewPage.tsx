import { useEffect, useState } from 'react';
import { Card, CardBody, CardTitle, Gallery, Label, PageSection, Title } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { followEvents, query, type Page, type ServerEvent } from '../api';
import { StackedDayChart } from '../components/charts';
import { formatDate, useApi, WhenLoaded } from '../components/common';
import { Link } from '../router';

interface Summary {
  count: number;
  groups: Record<string, string | number | null>[];
}
interface Provider {
  id: string;
  name: string;
  plugin: string;
  enabled: boolean;
}
interface Run {
  id: string;
  provider: string;
  status: string;
  started_at: string | null;
  completed_at: string | null;
  created: string;
}

export function runStatusColor(status: string): 'green' | 'red' | 'blue' | 'orange' | 'grey' {
  if (status === 'completed') return 'green';
  if (status === 'failed') return 'red';
  if (status === 'running' || status === 'pending' || status === 'queued') return 'blue';
  if (status === 'canceled' || status === 'partial') return 'orange';
  return 'grey';
}

function CountTable({
  label,
  head,
  rows,
}: {
  label: string;
  head: string;
  rows: { key: string; name: React.ReactNode; count: number }[];
}) {
  return (
    <Table aria-label={label} variant="compact">
      <Thead>
        <Tr>
          <Th>{head}</Th>
          <Th modifier="fitContent">Count</Th>
        </Tr>
      </Thead>
      <Tbody>
        {rows.map((row) => (
          <Tr key={row.key}>
            <Td dataLabel={head}>{row.name}</Td>
            <Td dataLabel="Count" data-count={row.count}>
              {row.count}
            </Td>
          </Tr>
        ))}
        {rows.length === 0 && (
          <Tr>
            <Td colSpan={2}>None</Td>
          </Tr>
        )}
      </Tbody>
    </Table>
  );
}

const SYSTEM_STATUSES = ['active', 'inactive', 'unknown'];

function SystemsByStatus() {
  const [counts, setCounts] = useState<Record<string, number>>();
  const all = useApi<Page<unknown>>('/systems/?page_size=1&fields=id');
  const active = useApi<Page<unknown>>('/systems/?page_size=1&fields=id&status=active');
  const inactive = useApi<Page<unknown>>('/systems/?page_size=1&fields=id&status=inactive');
  const unknown = useApi<Page<unknown>>('/systems/?page_size=1&fields=id&status=unknown');
  useEffect(() => {
    if (active.data && inactive.data && unknown.data)
      setCounts({ active: active.data.count, inactive: inactive.data.count, unknown: unknown.data.count });
  }, [active.data, inactive.data, unknown.data]);
  return (
    <WhenLoaded state={all}>
      {(page) =>
        counts ? (
          <>
            <CountTable
              label="Systems by heartbeat status"
              head="Status"
              rows={SYSTEM_STATUSES.map((status) => ({
                key: status,
                name: status,
                count: counts[status] ?? 0,
              }))}
            />
            <p>
              <Link to="/systems/">{page.count} systems</Link>
            </p>
          </>
        ) : null
      }
    </WhenLoaded>
  );
}

function RecentEvents() {
  const [events, setEvents] = useState<ServerEvent[]>([]);
  useEffect(() => followEvents((event) => setEvents((list) => [event, ...list].slice(0, 15))), []);
  return (
    <div aria-live="polite">
      {events.length === 0 ? (
        <p>Waiting for events… (new ones appear here as they happen)</p>
      ) : (
        <Table aria-label="Recent events" variant="compact">
          <Thead>
            <Tr>
              <Th>Event</Th>
              <Th>When</Th>
              <Th>Subject</Th>
            </Tr>
          </Thead>
          <Tbody>
            {events.map((event) => (
              <Tr key={event.id}>
                <Td dataLabel="Event">{event.type}</Td>
                <Td dataLabel="When">{formatDate(event.occurred_at)}</Td>
                <Td dataLabel="Subject">
                  {event.resource ? (
                    <Link to={`/resources/${event.resource}/`}>
                      {String((event.payload.name as string | undefined) ?? 'resource')}
                    </Link>
                  ) : event.provider ? (
                    <Link to={`/providers/${event.provider}/`}>provider</Link>
                  ) : (
                    (event.system ?? '—')
                  )}
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
    </div>
  );
}

export function OverviewPage() {
  const byType = useApi<Summary>('/resources/summary/?group_by=resource_type');
  const byProvider = useApi<Summary>('/resources/summary/?group_by=provider');
  const providers = useApi<Page<Provider>>('/providers/?page_size=100&ordering=name');
  const runs = useApi<Page<Run>>(
    `/collection-runs/${query({ ordering: '-created', page_size: 200, fields: 'id,provider,status,started_at,completed_at,created' })}`,
  );
  const changes = useApi<{ results: { date: string; severities: Record<string, number> }[] }>(
    `/resource-changes/summary/${query({
      interval: 'day',
      fill: true,
      detected_after: new Date(Date.now() - 13 * 86400000).toISOString().slice(0, 10),
    })}`,
  );
  const alerts = useApi<{ firing: number; unacknowledged: number; by_severity: Record<string, number> }>(
    '/alerts/totals/',
  );
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Overview</Title>
      </PageSection>
      <PageSection>
        <Gallery hasGutter minWidths={{ default: '100%', md: '420px' }}>
          <Card>
            <CardTitle component="h2">Resources by type</CardTitle>
            <CardBody>
              <WhenLoaded state={byType}>
                {(summary) => (
                  <>
                    <CountTable
                      label="Resources by type"
                      head="Type"
                      rows={summary.groups.map((g) => ({
                        key: String(g.resource_type),
                        name: (
                          <Link to={`/resources/?resource_type_slug=${String(g.resource_type_slug)}`}>
                            {String(g.resource_type_name ?? g.resource_type_slug)}
                          </Link>
                        ),
                        count: Number(g.count),
                      }))}
                    />
                    <p>
                      <Link to="/resources/">
                        <span data-total="resources">{summary.count}</span> resources
                      </Link>
                    </p>
                  </>
                )}
              </WhenLoaded>
            </CardBody>
          </Card>
          <Card>
            <CardTitle component="h2">Resources by provider</CardTitle>
            <CardBody>
              <WhenLoaded state={byProvider}>
                {(summary) => (
                  <CountTable
                    label="Resources by provider"
                    head="Provider"
                    rows={summary.groups.map((g) => ({
                      key: String(g.provider),
                      name: <Link to={`/providers/${String(g.provider)}/`}>{String(g.provider_name)}</Link>,
                      count: Number(g.count),
                    }))}
                  />
                )}
              </WhenLoaded>
            </CardBody>
          </Card>
          <Card>
            <CardTitle component="h2">Providers and their last run</CardTitle>
            <CardBody>
              <WhenLoaded state={providers}>
                {(page) => (
                  <Table aria-label="Providers and their last run" variant="compact">
                    <Thead>
                      <Tr>
                        <Th>Provider</Th>
                        <Th>Last run</Th>
                      </Tr>
                    </Thead>
                    <Tbody>
                      {page.results.map((provider) => {
                        const last = runs.data?.results.find((run) => run.provider === provider.id);
                        return (
                          <Tr key={provider.id}>
                            <Td dataLabel="Provider">
                              <Link to={`/providers/${provider.id}/`}>{provider.name}</Link>
                            </Td>
                            <Td dataLabel="Last run">
                              {last ? (
                                <>
                                  <Label color={runStatusColor(last.status)}>{last.status}</Label>{' '}
                                  {formatDate(last.completed_at ?? last.started_at ?? last.created)}
                                </>
                              ) : (
                                'never'
                              )}
                            </Td>
                          </Tr>
                        );
                      })}
                    </Tbody>
                  </Table>
                )}
              </WhenLoaded>
            </CardBody>
          </Card>
          <Card>
            <CardTitle component="h2">Systems by heartbeat status</CardTitle>
            <CardBody>
              <SystemsByStatus />
            </CardBody>
          </Card>
          <Card>
            <CardTitle component="h2">Changes per day by severity</CardTitle>
            <CardBody>
              <WhenLoaded state={changes}>
                {(summary) => (
                  <StackedDayChart days={summary.results} label="Changes per day by severity, last 14 days" />
                )}
              </WhenLoaded>
            </CardBody>
          </Card>
          <Card>
            <CardTitle component="h2">Firing alerts</CardTitle>
            <CardBody>
              <WhenLoaded state={alerts}>
                {(totals) => (
                  <>
                    <p>
                      <Link to="/alerts/?status=firing">
                        <span data-total="firing-alerts">{totals.firing}</span> firing
                      </Link>
                      , {totals.unacknowledged} not acknowledged
                    </p>
                    <CountTable
                      label="Firing alerts by severity"
                      head="Severity"
                      rows={Object.entries(totals.by_severity).map(([severity, count]) => ({
                        key: severity,
                        name: severity,
                        count,
                      }))}
                    />
                  </>
                )}
              </WhenLoaded>
            </CardBody>
          </Card>
          <Card>
            <CardTitle component="h2">Recent events (live)</CardTitle>
            <CardBody>
              <RecentEvents />
            </CardBody>
          </Card>
        </Gallery>
      </PageSection>
    </>
  );
}
