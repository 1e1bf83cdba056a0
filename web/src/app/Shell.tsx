// The frame around every signed-in page: the top bar (inbox, settings, the simulator when a channel is in
// sandbox mode, "+ New" with its shortcut, the live indicator, sign-out) and the inbox beside whatever is open.
import { Link, NavLink, Route, Routes, useMatch, useNavigate } from 'react-router';
import { Empty } from '../components/Notice.js';
import { Inbox } from '../features/inbox/Inbox.js';
import { Simulator } from '../features/simulator/Simulator.js';
import { useDirectory } from '../lib/directory.js';
import { useShortcuts } from '../lib/keys.js';
import { useRealtimeConnected } from '../lib/realtime.js';
import { useSession, useUser } from '../lib/session.js';
import { NewConversationPage } from './NewConversationPage.js';
import { SettingsPage } from './SettingsPage.js';
import { TicketPage } from './TicketPage.js';

export function Shell() {
  const user = useUser();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const connected = useRealtimeConnected();
  const ticketMatch = useMatch('/tickets/:id');
  const newMatch = useMatch('/new');
  const settingsMatch = useMatch('/settings/*');
  const simulatorMatch = useMatch('/simulator');
  const hasSandbox = useDirectory().channels.some((c) => c.sandbox);
  const ticketId = ticketMatch?.params.id ?? null;
  useShortcuts({ n: () => navigate('/new') });

  return (
    <div className={`shell${ticketId || newMatch ? ' has-detail' : ''}${settingsMatch ? ' in-settings' : ''}${simulatorMatch ? ' in-simulator' : ''}`}>
      <header className="topbar">
        <Link to="/" className="brand">
          Threadbox
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Inbox
          </NavLink>
          <NavLink to="/settings">Settings</NavLink>
          {hasSandbox && <NavLink to="/simulator">Simulator</NavLink>}
        </nav>
        <span className={`live${connected ? ' on' : ''}`} role="status" title={connected ? 'Live updates on' : 'Reconnecting to live updates…'}>
          {connected ? 'Live' : 'Offline'}
        </span>
        <Link to="/new" className="button primary new-button" aria-keyshortcuts="n" title="New conversation (n)">
          + New
        </Link>
        <span className="me" title={user.email}>
          {user.name}
        </span>
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <Routes>
        <Route path="/settings/*" element={<SettingsPage />} />
        <Route path="/simulator" element={<Simulator />} />
        <Route
          path="*"
          element={
            <div className="workspace">
              <Inbox selectedId={ticketId} onOpen={(id) => navigate(`/tickets/${id}`)} />
              <main className="detail">
                <Routes>
                  <Route path="/tickets/:id" element={ticketId ? <TicketPage key={ticketId} ticketId={ticketId} /> : null} />
                  <Route path="/new" element={<NewConversationPage />} />
                  <Route path="*" element={<Empty>Pick a ticket on the left, or press n to start a new conversation.</Empty>} />
                </Routes>
              </main>
            </div>
          }
        />
      </Routes>
    </div>
  );
}
