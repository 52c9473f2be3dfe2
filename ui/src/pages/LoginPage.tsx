import { useState, type FormEvent } from 'react';
import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Form,
  FormGroup,
  PageSection,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { ApiError } from '../api';
import { useAuth } from '../auth';

/** Local accounts sign in here (POST /auth/login/); behind the gateway this is never shown. */
export function LoginPage({ reason }: { reason?: string }) {
  const { login } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username, password);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason.detail : String(reason));
      setBusy(false);
    }
  };
  return (
    <main id="main">
      <PageSection isFilled>
        <Card style={{ maxWidth: 420, margin: '10vh auto 0' }}>
          <CardTitle>
            <Title headingLevel="h1">Inventory</Title>
          </CardTitle>
          <CardBody>
            {(error ?? reason) && (
              <Alert variant={error ? 'danger' : 'info'} isInline title={error ?? reason} role="alert" />
            )}
            <Form onSubmit={(event) => void submit(event)}>
              <FormGroup label="Username" isRequired fieldId="login-username">
                <TextInput
                  id="login-username"
                  name="username"
                  autoComplete="username"
                  isRequired
                  value={username}
                  onChange={(_e, value) => setUsername(value)}
                />
              </FormGroup>
              <FormGroup label="Password" isRequired fieldId="login-password">
                <TextInput
                  id="login-password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  isRequired
                  value={password}
                  onChange={(_e, value) => setPassword(value)}
                />
              </FormGroup>
              <ActionGroup>
                <Button type="submit" variant="primary" isLoading={busy} isDisabled={busy}>
                  Log in
                </Button>
              </ActionGroup>
            </Form>
          </CardBody>
        </Card>
      </PageSection>
    </main>
  );
}
