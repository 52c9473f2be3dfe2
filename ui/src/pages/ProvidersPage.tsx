import { useEffect, useState, type FormEvent } from 'react';
import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Label,
  PageSection,
  Progress,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { api, ApiError, query, type Page } from '../api';
import { ErrorAlert, fieldError, formatDate, show, useApi, WhenLoaded } from '../components/common';
import { ListTable } from '../components/list';
import { Link, navigate } from '../router';
import { runStatusColor } from './OverviewPage';

export interface Provider {
  id: string;
  name: string;
  description: string;
  organization: number;
  organization_name: string;
  vendor: string;
  provider_type: string;
  plugin: string;
  infrastructure: string;
  endpoint: string;
  connection_config: Record<string, unknown>;
  enabled: boolean;
  last_collection_at: string | null;
  schedule: string | null;
  next_collection_at: string | null;
}
interface Parameter {
  name: string;
  /** string, integer, number, boolean, … */
  type: string;
  required: boolean;
  secret: boolean;
  default?: unknown;
  description?: string;
}
interface Plugin {
  key: string;
  vendor: string;
  provider_type: string;
  display_name: string;
  infrastructure: string;
  connection_parameters: Parameter[];
  requires_endpoint: boolean;
}
export interface Run {
  id: string;
  provider: string;
  provider_name: string;
  status: string;
  collection_type: string;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  resources_found: number;
  resources_created: number;
  resources_updated: number;
  resources_unchanged: number;
  resources_removed: number;
  resources_rejected: number;
  error_message: string;
  created: string;
}

const MASK = '$encrypted$';
const TERMINAL = ['completed', 'failed', 'canceled', 'partial'];

export function ProvidersPage() {
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Providers</Title>
        <Button variant="primary" onClick={() => navigate('/providers/new/')} style={{ marginTop: 12 }}>
          Add provider
        </Button>
      </PageSection>
      <PageSection>
        <ListTable<Provider>
          path="/providers/?ordering=name&page_size=50"
          label="Providers"
          columns={[
            { label: 'Name', render: (p) => <Link to={`/providers/${p.id}/`}>{p.name}</Link> },
            { label: 'Plugin', render: (p) => p.plugin },
            { label: 'Organization', render: (p) => p.organization_name },
            { label: 'Enabled', render: (p) => (p.enabled ? 'yes' : 'no') },
            { label: 'Schedule', render: (p) => p.schedule ?? 'on demand' },
            { label: 'Last collection', render: (p) => formatDate(p.last_collection_at) },
            { label: 'Topology', render: (p) => <Link to={`/topology/?provider=${p.id}`}>graph</Link> },
          ]}
        />
      </PageSection>
    </>
  );
}

/** The connection parameters a plugin declares, as form fields (secrets never prefilled). */
function ParameterField({
  parameter,
  value,
  stored,
  error,
  onChange,
}: {
  parameter: Parameter;
  value: unknown;
  stored: boolean;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const id = `param-${parameter.name}`;
  const help = (
    <FormHelperText>
      <HelperText>
        {error ? (
          <HelperTextItem variant="error">{error}</HelperTextItem>
        ) : (
          <HelperTextItem>
            {parameter.description}
            {parameter.secret && stored ? ' A value is stored; leave this empty to keep it.' : ''}
          </HelperTextItem>
        )}
      </HelperText>
    </FormHelperText>
  );
  const label = parameter.name.replace(/_/g, ' ');
  if (parameter.type === 'boolean')
    return (
      <FormGroup fieldId={id} label={label} role="group" isStack={false}>
        <Checkbox
          id={id}
          label={`Enable ${label}`}
          isChecked={Boolean(value ?? parameter.default)}
          onChange={(_e, checked) => onChange(checked)}
        />
        {help}
      </FormGroup>
    );
  return (
    <FormGroup fieldId={id} label={label} isRequired={parameter.required && !(parameter.secret && stored)}>
      <TextInput
        id={id}
        type={
          parameter.secret
            ? 'password'
            : parameter.type === 'integer' || parameter.type === 'number'
              ? 'number'
              : 'text'
        }
        autoComplete={parameter.secret ? 'new-password' : 'off'}
        value={value === undefined || value === null || value === '' ? '' : show(value)}
        placeholder={parameter.default !== undefined ? show(parameter.default) : undefined}
        validated={error ? 'error' : 'default'}
        onChange={(_e, text) => onChange(text)}
      />
      {help}
    </FormGroup>
  );
}

/** /ui/providers/new/ and /ui/providers/{id}/edit/: the form generated from the plugin. */
export function ProviderFormPage({ id }: { id?: string }) {
  const plugins = useApi<Page<Plugin>>('/provider-plugins/?page_size=1000');
  const organizations = useApi<Page<{ id: number; name: string }>>(
    '/organizations/?page_size=1000&fields=id,name',
  );
  const existing = useApi<Provider>(id ? `/providers/${id}/` : null);
  const [form, setForm] = useState({
    name: '',
    description: '',
    organization: '',
    plugin: '',
    endpoint: '',
    schedule: '',
    enabled: true,
  });
  const [config, setConfig] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string[]>>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const p = existing.data;
    if (!p) return;
    setForm({
      name: p.name,
      description: p.description,
      organization: String(p.organization),
      plugin: p.plugin,
      endpoint: p.endpoint,
      schedule: p.schedule ?? '',
      enabled: p.enabled,
    });
    // Stored secrets come back masked: the form never shows them.
    setConfig(
      Object.fromEntries(Object.entries(p.connection_config).map(([k, v]) => [k, v === MASK ? '' : v])),
    );
  }, [existing.data]);
  useEffect(() => {
    if (!form.organization && organizations.data?.results[0])
      setForm((f) => ({ ...f, organization: String(organizations.data?.results[0].id) }));
  }, [organizations.data, form.organization]);

  const plugin = plugins.data?.results.find((p) => p.key === form.plugin);
  const storedSecret = (name: string) => existing.data?.connection_config[name] === MASK;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!plugin) {
      setErrors({ plugin: ['Choose a plugin.'] });
      return;
    }
    const connection: Record<string, unknown> = {};
    for (const parameter of plugin.connection_parameters) {
      const value = config[parameter.name];
      if (value === '' || value === undefined) {
        if (parameter.secret && storedSecret(parameter.name)) connection[parameter.name] = MASK;
        continue;
      }
      connection[parameter.name] =
        parameter.type === 'integer' || parameter.type === 'number' ? Number(value) : value;
    }
    const body = {
      name: form.name,
      description: form.description,
      organization: Number(form.organization),
      vendor: plugin.vendor,
      provider_type: plugin.provider_type,
      infrastructure: plugin.infrastructure,
      endpoint: form.endpoint,
      connection_config: connection,
      enabled: form.enabled,
      schedule: form.schedule || null,
    };
    setBusy(true);
    setError(undefined);
    setErrors(undefined);
    try {
      const saved = await api<Provider>(id ? `/providers/${id}/` : '/providers/', {
        method: id ? 'PATCH' : 'POST',
        body,
      });
      navigate(`/providers/${saved.id}/`);
    } catch (reason) {
      const apiError = reason instanceof ApiError ? reason : new ApiError(0, String(reason));
      setError(apiError);
      setErrors(apiError.errors);
      setBusy(false);
    }
  };
  const fieldHelp = (name: string) => {
    const message = fieldError(errors, name);
    return message ? (
      <FormHelperText>
        <HelperText>
          <HelperTextItem variant="error">{message}</HelperTextItem>
        </HelperText>
      </FormHelperText>
    ) : null;
  };
  const text = (
    name: 'name' | 'description' | 'endpoint' | 'schedule',
    label: string,
    required = false,
    help?: string,
  ) => (
    <FormGroup fieldId={`provider-${name}`} label={label} isRequired={required}>
      <TextInput
        id={`provider-${name}`}
        value={form[name]}
        isRequired={required}
        validated={fieldError(errors, name) ? 'error' : 'default'}
        onChange={(_e, value) => setForm((f) => ({ ...f, [name]: value }))}
      />
      {fieldHelp(name) ??
        (help && (
          <FormHelperText>
            <HelperText>
              <HelperTextItem>{help}</HelperTextItem>
            </HelperText>
          </FormHelperText>
        ))}
    </FormGroup>
  );

  return (
    <>
      <PageSection>
        <Title headingLevel="h1">{id ? `Edit ${existing.data?.name ?? 'provider'}` : 'Add a provider'}</Title>
      </PageSection>
      <PageSection>
        <ErrorAlert error={plugins.error ?? organizations.error ?? existing.error} />
        {error && (
          <Alert variant="danger" isInline title="The provider was not saved" role="alert">
            {error.detail}
          </Alert>
        )}
        <Form onSubmit={(event) => void submit(event)} style={{ maxWidth: 720 }}>
          {text('name', 'Name', true)}
          {text('description', 'Description')}
          <FormGroup fieldId="provider-organization" label="Organization" isRequired>
            <FormSelect
              id="provider-organization"
              value={form.organization}
              onChange={(_e, value) => setForm((f) => ({ ...f, organization: value }))}
            >
              {organizations.data?.results.map((o) => (
                <FormSelectOption key={o.id} value={String(o.id)} label={o.name} />
              ))}
            </FormSelect>
            {fieldHelp('organization')}
          </FormGroup>
          <FormGroup fieldId="provider-plugin" label="Plugin" isRequired>
            <FormSelect
              id="provider-plugin"
              value={form.plugin}
              isDisabled={Boolean(id)}
              onChange={(_e, value) => {
                setForm((f) => ({ ...f, plugin: value }));
                setConfig({});
              }}
            >
              <FormSelectOption value="" label="Choose a plugin" />
              {plugins.data?.results.map((p) => (
                <FormSelectOption key={p.key} value={p.key} label={`${p.display_name} (${p.key})`} />
              ))}
            </FormSelect>
            {fieldHelp('plugin') ?? fieldHelp('vendor') ?? fieldHelp('provider_type')}
          </FormGroup>
          {plugin?.requires_endpoint &&
            text('endpoint', 'Endpoint', true, 'URL or host name of the system to collect from.')}
          {plugin?.connection_parameters.map((parameter) => (
            <ParameterField
              key={parameter.name}
              parameter={parameter}
              value={config[parameter.name]}
              stored={storedSecret(parameter.name)}
              error={
                fieldError(errors, `connection_config.${parameter.name}`) ??
                fieldError(errors, parameter.name)
              }
              onChange={(value) => setConfig((c) => ({ ...c, [parameter.name]: value }))}
            />
          ))}
          {fieldHelp('connection_config')}
          {text(
            'schedule',
            'Schedule',
            false,
            'Seconds between runs (at least 60) or a cron expression (UTC); empty: on demand.',
          )}
          <Checkbox
            id="provider-enabled"
            label="Enabled"
            isChecked={form.enabled}
            onChange={(_e, checked) => setForm((f) => ({ ...f, enabled: checked }))}
          />
          <ActionGroup>
            <Button type="submit" variant="primary" isLoading={busy} isDisabled={busy}>
              {id ? 'Save' : 'Create provider'}
            </Button>
            <Button variant="link" onClick={() => navigate(id ? `/providers/${id}/` : '/providers/')}>
              Cancel
            </Button>
          </ActionGroup>
        </Form>
      </PageSection>
    </>
  );
}

/** A run's status and counters, polled while it is pending or running. */
export function RunProgress({ runId }: { runId: string }) {
  const [run, setRun] = useState<Run>();
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const current = await api<Run>(`/collection-runs/${runId}/`);
        if (stopped) return;
        setRun(current);
        if (!TERMINAL.includes(current.status)) timer = setTimeout(() => void poll(), 1000);
      } catch (reason) {
        if (!stopped) setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId]);
  if (error) return <ErrorAlert error={error} />;
  if (!run) return null;
  const done = TERMINAL.includes(run.status);
  return (
    <div data-run={run.id} data-status={run.status} aria-live="polite">
      <Progress
        title={`Run ${run.status}`}
        aria-label="Collection run progress"
        value={done ? 100 : undefined}
        measureLocation={done ? 'none' : 'none'}
        variant={run.status === 'failed' ? 'danger' : done ? 'success' : undefined}
      />
      <p>
        <Label color={runStatusColor(run.status)}>{run.status}</Label> found {run.resources_found}, created{' '}
        {run.resources_created}, updated {run.resources_updated}, unchanged {run.resources_unchanged}, removed{' '}
        {run.resources_removed}, rejected {run.resources_rejected}
        {run.duration_seconds !== null ? ` in ${run.duration_seconds.toFixed(1)} s` : ''}
      </p>
      {run.error_message && (
        <Alert variant="danger" isInline title="The run failed" role="alert">
          {run.error_message}
        </Alert>
      )}
    </div>
  );
}

/** /ui/providers/{id}/: the provider (secrets only as "stored"), Collect now and its runs. */
export function ProviderPage({ id }: { id: string }) {
  const provider = useApi<Provider>(`/providers/${id}/`);
  const [runId, setRunId] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [refresh, setRefresh] = useState(0);
  const collect = async () => {
    setError(undefined);
    try {
      const run = await api<Run>(`/providers/${id}/collect/`, { method: 'POST', body: {} });
      setRunId(run.id);
      setRefresh((n) => n + 1);
    } catch (reason) {
      const apiError = reason instanceof ApiError ? reason : new ApiError(0, String(reason));
      setError(apiError);
    }
  };
  return (
    <WhenLoaded state={provider}>
      {(p) => (
        <>
          <PageSection>
            <Title headingLevel="h1">{p.name}</Title>
            <p>{p.description}</p>
            <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginTop: 12 }}>
              <Button variant="primary" onClick={() => void collect()} isDisabled={!p.enabled}>
                Collect now
              </Button>
              <Button variant="secondary" onClick={() => navigate(`/providers/${p.id}/edit/`)}>
                Edit
              </Button>
              <Button variant="link" onClick={() => navigate(`/topology/?provider=${p.id}`)}>
                Topology
              </Button>
              <Button variant="link" onClick={() => navigate(`/resources/${query({ provider: p.id })}`)}>
                Resources
              </Button>
            </div>
            <ErrorAlert error={error} title="Could not start a run" />
            {runId && <RunProgress runId={runId} />}
          </PageSection>
          <PageSection>
            <Card>
              <CardTitle component="h2">Settings</CardTitle>
              <CardBody>
                <DescriptionList isCompact isHorizontal>
                  {[
                    ['Plugin', p.plugin],
                    ['Organization', p.organization_name],
                    ['Infrastructure', p.infrastructure],
                    ['Endpoint', p.endpoint || '—'],
                    ['Enabled', p.enabled ? 'yes' : 'no'],
                    ['Schedule', p.schedule ?? 'on demand'],
                    ['Next collection', formatDate(p.next_collection_at)],
                    ['Last collection', formatDate(p.last_collection_at)],
                    ...Object.entries(p.connection_config).map(([key, value]) => [
                      key,
                      value === MASK ? 'stored (not shown)' : show(value),
                    ]),
                  ].map(([term, value]) => (
                    <DescriptionListGroup key={term}>
                      <DescriptionListTerm>{term}</DescriptionListTerm>
                      <DescriptionListDescription>{value}</DescriptionListDescription>
                    </DescriptionListGroup>
                  ))}
                </DescriptionList>
              </CardBody>
            </Card>
          </PageSection>
          <PageSection>
            <Title headingLevel="h2">Collection runs</Title>
            <ListTable<Run>
              path={`/collection-runs/${query({ provider: p.id, ordering: '-created', page_size: 10 })}`}
              label="Collection runs of this provider"
              refresh={refresh}
              columns={RUN_COLUMNS}
            />
          </PageSection>
        </>
      )}
    </WhenLoaded>
  );
}

export const RUN_COLUMNS = [
  { label: 'Started', render: (r: Run) => formatDate(r.started_at ?? r.created) },
  { label: 'Provider', render: (r: Run) => <Link to={`/providers/${r.provider}/`}>{r.provider_name}</Link> },
  { label: 'Status', render: (r: Run) => <Label color={runStatusColor(r.status)}>{r.status}</Label> },
  { label: 'Found', render: (r: Run) => r.resources_found },
  { label: 'Created', render: (r: Run) => r.resources_created },
  { label: 'Updated', render: (r: Run) => r.resources_updated },
  { label: 'Removed', render: (r: Run) => r.resources_removed },
  {
    label: 'Duration (s)',
    render: (r: Run) => (r.duration_seconds === null ? '—' : r.duration_seconds.toFixed(1)),
  },
  { label: 'Error', render: (r: Run) => r.error_message || '—' },
];
