// The app: signed out, the sign-in page; signed in, the shell with live events and the directory.
import { BrowserRouter } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage.js';
import { DirectoryProvider } from '../lib/directory.js';
import { RealtimeProvider } from '../lib/realtime.js';
import { SessionProvider, useSession } from '../lib/session.js';
import { Shell } from './Shell.js';

function Gate() {
  const { state } = useSession();
  if (state.phase === 'loading') return <p className="loading page-loading">Loading Threadbox…</p>;
  if (state.phase === 'signed-out') return <LoginPage expired={state.expired} />;
  return (
    <RealtimeProvider key={state.user.userId}>
      <DirectoryProvider>
        <Shell />
      </DirectoryProvider>
    </RealtimeProvider>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </BrowserRouter>
  );
}
