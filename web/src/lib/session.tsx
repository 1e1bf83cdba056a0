// Who is signed in: read once from /api/auth/me (so a reload keeps the session), signed in and out
// here, and marked expired when any call is answered 401.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get, onSessionEnded, post } from './api.js';
import type { SignedInUser } from './types.js';

type SessionState = { phase: 'loading' } | { phase: 'signed-out'; expired: boolean } | { phase: 'signed-in'; user: SignedInUser };

interface Session {
  state: SessionState;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ phase: 'loading' });

  useEffect(() => {
    let cancelled = false;
    get<{ user: SignedInUser }>('/api/auth/me').then(
      ({ user }) => !cancelled && setState({ phase: 'signed-in', user }),
      () => !cancelled && setState({ phase: 'signed-out', expired: false }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  // A 401 on any later call means the session ended while the page was open.
  useEffect(() => onSessionEnded(() => setState((current) => (current.phase === 'signed-in' ? { phase: 'signed-out', expired: true } : current))), []);

  const signIn = useCallback(async (email: string, password: string) => {
    const { user } = await post<{ user: SignedInUser }>('/api/auth/login', { email, password });
    setState({ phase: 'signed-in', user });
  }, []);

  const signOut = useCallback(async () => {
    await post('/api/auth/logout').catch(() => undefined);
    setState({ phase: 'signed-out', expired: false });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user; only inside the signed-in part of the app. */
export function useUser(): SignedInUser {
  const { state } = useSession();
  if (state.phase !== 'signed-in') throw new Error('useUser while signed out');
  return state.user;
}
