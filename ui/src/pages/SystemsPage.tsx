import { useState, type FormEvent } from 'react';
import {
  ActionGroup,
  Alert,
  Button,
  ClipboardCopy,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Label,
  PageSection,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { api, ApiError, type Page } from '../api';
import { ErrorAlert, fieldError, formatDate, useApi } from '../components/common';
import { ListTable } from '../components/list';

interface System {
  id: string;
  name: string;
  organization_name: string;
  system_key: string;
  status: string;
  suspended: boolean;
  last_heartbeat_at: string | null;
  secret?: string;
}

/** /ui/systems/: push clients; enrolling or regenerating shows the secret this once. */
export function SystemsPage() {
  const organizations = useApi<Page<{ id: number; name: string }>>(
    '/organizations/?page_size=1000&fields=id,name',
  );
  const [name, setName] = useState('');
  const [organization, setOrganization] = useState('');
  const [errors, setErrors] = useState<Record<string, string[]>>();
  const [error, setError] = useState<ApiError>();
  const [secret, setSecret] = useState<{ name: string; key: string; secret: string }>();
  const [refresh, setRefresh] = useState(0);
  const org = organization || String(organizations.data?.results[0]?.id ?? '');

  const enroll = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setErrors(undefined);
    try {
      const system = await api<System>('/systems/', {
        method: 'POST',
        body: { name, organization: Number(org) },
      });
      setSecret({ name: system.name, key: system.system_key, secret: system.secret ?? '' });
      setName('');
      setRefresh((n) => n + 1);
    } catch (reason) {
      const apiError = reason instanceof ApiError ? reason : new ApiError(0, String(reason));
      setError(apiError);
      setErrors(apiError.errors);
    }
  };
  const act = async (system: System, action: 'suspend' | 'resume' | 'regenerate-secret') => {
    setError(undefined);
    try {
      const answer = await api<System>(`/systems/${system.id}/${action}/`, { method: 'POST' });
      if (action === 'regenerate-secret')
        setSecret({ name: system.name, key: answer.system_key, secret: answer.secret ?? '' });
      setRefresh((n) => n + 1);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason)));
    }
  };
  const help = (field: string) => {
    const message = fieldError(errors, field);
    return message ? (
      <FormHelperText>
        <HelperText>
          <HelperTextItem variant="error">{message}</HelperTextItem>
        </HelperText>
      </FormHelperText>
    ) : null;
  };
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Systems</Title>
      </PageSection>
      <PageSection>
        <Title headingLevel="h2">Enroll a system</Title>
        <Form onSubmit={(event) => void enroll(event)} style={{ maxWidth: 560 }}>
          <FormGroup label="System name" fieldId="system-name" isRequired>
            <TextInput
              id="system-name"
              value={name}
              isRequired
              validated={fieldError(errors, 'name') ? 'error' : 'default'}
              onChange={(_e, value) => setName(value)}
            />
            {help('name')}
          </FormGroup>
          <FormGroup label="Organization" fieldId="system-organization" isRequired>
            <FormSelect id="system-organization" value={org} onChange={(_e, value) => setOrganization(value)}>
              {organizations.data?.results.map((o) => (
                <FormSelectOption key={o.id} value={String(o.id)} label={o.name} />
              ))}
            </FormSelect>
            {help('organization')}
          </FormGroup>
          <ActionGroup>
            <Button type="submit" variant="primary">
              Enroll
            </Button>
          </ActionGroup>
        </Form>
        <ErrorAlert error={error} />
        {secret && (
          <Alert
            variant="warning"
            isInline
            title={`Credentials of ${secret.name}: copy the secret now, it is not shown again`}
            actionClose={
              <Button variant="plain" aria-label="Hide the secret" onClick={() => setSecret(undefined)}>
                ×
              </Button>
            }
          >
            <p>System key</p>
            <ClipboardCopy
              isReadOnly
              hoverTip="Copy"
              clickTip="Copied"
              textAriaLabel="System key"
              copyAriaLabel="Copy the system key"
            >
              {secret.key}
            </ClipboardCopy>
            <p>Secret</p>
            <ClipboardCopy
              isReadOnly
              hoverTip="Copy"
              clickTip="Copied"
              textAriaLabel="Secret"
              copyAriaLabel="Copy the secret"
            >
              {secret.secret}
            </ClipboardCopy>
          </Alert>
        )}
      </PageSection>
      <PageSection>
        <ListTable<System>
          path="/systems/?ordering=name&page_size=50"
          label="Systems"
          refresh={refresh}
          columns={[
            { label: 'Name', render: (s) => s.name },
            { label: 'System key', render: (s) => <code>{s.system_key}</code> },
            { label: 'Organization', render: (s) => s.organization_name },
            {
              label: 'Status',
              render: (s) => (
                <>
                  <Label color={s.status === 'active' ? 'green' : s.status === 'inactive' ? 'red' : 'grey'}>
                    {s.status}
                  </Label>
                  {s.suspended && <Label color="orange">suspended</Label>}
                </>
              ),
            },
            { label: 'Last heartbeat', render: (s) => formatDate(s.last_heartbeat_at) },
            {
              label: 'Actions',
              render: (s) => (
                <span style={{ display: 'flex', gap: 4, flexWrap: 'wrap' }}>
                  <Button
                    variant="secondary"
                    size="sm"
                    onClick={() => void act(s, s.suspended ? 'resume' : 'suspend')}
                    aria-label={`${s.suspended ? 'Resume' : 'Suspend'} ${s.name}`}
                  >
                    {s.suspended ? 'Resume' : 'Suspend'}
                  </Button>
                  <Button
                    variant="secondary"
                    size="sm"
                    onClick={() => void act(s, 'regenerate-secret')}
                    aria-label={`Regenerate secret for ${s.name}`}
                  >
                    Regenerate secret
                  </Button>
                </span>
              ),
            },
          ]}
        />
      </PageSection>
    </>
  );
}
