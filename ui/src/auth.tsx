import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, hasToken, setToken, whenUnauthorized } from './api';

export interface Me {
  id: number;
  username: string;
  is_superuser: boolean;
  managed_by_gateway: boolean;
}

export type AuthState =
  | { status: 'checking' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; user: Me; gateway: boolean };

interface AuthApi {
  state: AuthState;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthApi | null>(null);

/**
 * Who is signed in. With a local token (from POST /auth/login/, kept in sessionStorage)
 * the UI sends it as a Bearer; without one it asks /users/me/ as it is: behind the
 * gateway the gateway adds its own token to the request, so that answers 200 and no
 * sign-in form is shown.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'checking' });

  useEffect(() => {
    whenUnauthorized(() => {
      setToken(null);
      setState({ status: 'signed-out', reason: 'Your session has ended. Log in again.' });
    });
    const withToken = hasToken();
    api<Me>('/users/me/', { quiet401: true }).then(
      (user) => setState({ status: 'signed-in', user, gateway: !withToken }),
      () => {
        setToken(null);
        setState({ status: 'signed-out' });
      },
    );
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const answer = await api<{ token: string; user: Me }>('/auth/login/', {
      method: 'POST',
      body: { username, password },
      quiet401: true,
    });
    setToken(answer.token);
    const user = await api<Me>('/users/me/');
    setState({ status: 'signed-in', user, gateway: false });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('/auth/logout/', { method: 'POST', quiet401: true });
    } finally {
      setToken(null);
      setState({ status: 'signed-out' });
    }
  }, []);

  return <AuthContext.Provider value={{ state, login, logout }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
