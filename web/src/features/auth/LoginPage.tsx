// Sign-in: email and password, with the API's sentence on a wrong password and a note when the
// previous session expired.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/Notice.js';
import { messageOf } from '../../lib/api.js';
import { useSession } from '../../lib/session.js';

export function LoginPage({ expired }: { expired: boolean }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Threadbox</h1>
        {expired && !error && (
          <p className="info-note" role="status">
            Your session expired. Sign in again to continue where you left off.
          </p>
        )}
        <label>
          Email
          <input type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorNote>{error}</ErrorNote>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
