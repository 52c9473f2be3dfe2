import { useState } from 'react';
import {
  Button,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Label,
  PageSection,
  Title,
} from '@patternfly/react-core';
import { api, ApiError, query, type Page } from '../api';
import { ErrorAlert, formatDate, show, useApi } from '../components/common';
import { ListTable } from '../components/list';
import { Link, navigate, type Location } from '../router';
import { RUN_COLUMNS, type Run } from './ProvidersPage';

function Select({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
}) {
  return (
    <FormGroup label={label} fieldId={id} style={{ maxWidth: 320 }}>
      <FormSelect id={id} value={value} onChange={(_e, v) => onChange(v)}>
        {options.map(([v, text]) => (
          <FormSelectOption key={v} value={v} label={text} />
        ))}
      </FormSelect>
    </FormGroup>
  );
}

/** /ui/collection-runs/: every run, newest first, by status and provider. */
export function CollectionRunsPage({ location }: { location: Location }) {
  const status = location.params.get('status') ?? '';
  const provider = location.params.get('provider') ?? '';
  const providers = useApi<Page<{ id: string; name: string }>>(
    '/providers/?page_size=1000&ordering=name&fields=id,name',
  );
  const go = (changes: Record<string, string>) =>
    navigate(`/collection-runs/${query({ status, provider, ...changes })}`, true);
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Collection runs</Title>
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
          <Select
            id="runs-status"
            label="Status"
            value={status}
            onChange={(v) => go({ status: v })}
            options={[
              ['', 'Any'],
              ...['pending', 'running', 'completed', 'failed', 'canceled'].map((s): [string, string] => [
                s,
                s,
              ]),
            ]}
          />
          <Select
            id="runs-provider"
            label="Provider"
            value={provider}
            onChange={(v) => go({ provider: v })}
            options={[
              ['', 'Any'],
              ...(providers.data?.results.map((p): [string, string] => [p.id, p.name]) ?? []),
            ]}
          />
        </div>
      </PageSection>
      <PageSection>
        <ListTable<Run>
          path={`/collection-runs/${query({ status, provider, ordering: '-created', page_size: 25 })}`}
          label="Collection runs"
          columns={RUN_COLUMNS}
        />
      </PageSection>
    </>
  );
}

interface Activity {
  id: string;
  timestamp: string;
  actor_username: string | null;
  operation: string;
  object_type: string;
  object_id: string;
  object_repr: string;
  changes: Record<string, unknown>;
}

/** /ui/activity/: who changed what (the activity stream). */
export function ActivityPage() {
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Activity</Title>
      </PageSection>
      <PageSection>
        <ListTable<Activity>
          path="/activitystream/?page_size=25&ordering=-timestamp"
          label="Activity"
          columns={[
            { label: 'When', render: (a) => formatDate(a.timestamp) },
            { label: 'Who', render: (a) => a.actor_username ?? '—' },
            { label: 'Operation', render: (a) => a.operation },
            { label: 'Object', render: (a) => `${a.object_type} ${a.object_repr}` },
            {
              label: 'Changes',
              render: (a) =>
                Object.keys(a.changes ?? {})
                  .slice(0, 8)
                  .join(', ') || '—',
            },
          ]}
        />
      </PageSection>
    </>
  );
}

interface AlertRow {
  id: string;
  alertname: string;
  severity: string;
  status: string;
  starts_at: string;
  ends_at: string | null;
  system: string | null;
  resource: string | null;
  acknowledged_at: string | null;
  annotations: Record<string, unknown>;
}

/** /ui/alerts/: firing and resolved alerts; acknowledge and resolve. */
export function AlertsPage({ location }: { location: Location }) {
  const status = location.params.get('status') ?? '';
  const [refresh, setRefresh] = useState(0);
  const [error, setError] = useState<ApiError>();
  const act = async (alert: AlertRow, action: 'acknowledge' | 'resolve') => {
    setError(undefined);
    try {
      await api(`/alerts/${alert.id}/${action}/`, { method: 'POST', body: {} });
      setRefresh((n) => n + 1);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
    }
  };
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Alerts</Title>
        <Select
          id="alerts-status"
          label="Status"
          value={status}
          onChange={(v) => navigate(`/alerts/${query({ status: v })}`, true)}
          options={[
            ['', 'Any'],
            ['firing', 'firing'],
            ['resolved', 'resolved'],
          ]}
        />
        <ErrorAlert error={error} />
      </PageSection>
      <PageSection>
        <ListTable<AlertRow>
          path={`/alerts/${query({ status, page_size: 25, ordering: '-starts_at' })}`}
          label="Alerts"
          refresh={refresh}
          empty="No alerts."
          columns={[
            { label: 'Alert', render: (a) => a.alertname },
            { label: 'Severity', render: (a) => a.severity },
            {
              label: 'Status',
              render: (a) => <Label color={a.status === 'firing' ? 'red' : 'green'}>{a.status}</Label>,
            },
            { label: 'Since', render: (a) => formatDate(a.starts_at) },
            {
              label: 'Host',
              render: (a) => (a.resource ? <Link to={`/resources/${a.resource}/`}>resource</Link> : '—'),
            },
            {
              label: 'Summary',
              render: (a) => show(a.annotations?.summary ?? a.annotations?.description),
            },
            {
              label: 'Actions',
              render: (a) =>
                a.status === 'firing' ? (
                  <span style={{ display: 'flex', gap: 4 }}>
                    {!a.acknowledged_at && (
                      <Button size="sm" variant="secondary" onClick={() => void act(a, 'acknowledge')}>
                        Acknowledge
                      </Button>
                    )}
                    <Button size="sm" variant="secondary" onClick={() => void act(a, 'resolve')}>
                      Resolve
                    </Button>
                  </span>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </PageSection>
    </>
  );
}
