// The top of a ticket that continues a closed one: "Continues #N", and that ticket's last messages,
// loaded and shown inline on request so the agent picks up where the last conversation ended.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ErrorNote } from '../../components/Notice.js';
import { get, messageOf } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { dateTime } from '../../lib/time.js';
import type { Message, PreviousTicketRef, TicketDetail } from '../../lib/types.js';
import { splitQuoted } from './quoted.js';

/** How many of the previous ticket's messages are shown: enough to recall how it ended. */
export const PREVIOUS_MESSAGES_SHOWN = 3;

type Loaded = { phase: 'idle' } | { phase: 'loading' } | { phase: 'failed'; error: string } | { phase: 'loaded'; detail: TicketDetail };

export function PreviousTicket({ previous, contactName }: { previous: PreviousTicketRef; contactName: string | null }) {
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<Loaded>({ phase: 'idle' });
  const shown = useRef<HTMLOListElement>(null);

  const toggle = () => {
    const next = !open;
    setOpen(next);
    if (next && (loaded.phase === 'idle' || loaded.phase === 'failed')) {
      setLoaded({ phase: 'loading' });
      get<TicketDetail>(`/api/tickets/${encodeURIComponent(previous.id)}`).then(
        (detail) => setLoaded({ phase: 'loaded', detail }),
        (failure: unknown) => setLoaded({ phase: 'failed', error: messageOf(failure) }),
      );
    }
  };

  // The messages open below the button: bring them into view once they are there.
  const ready = open && loaded.phase === 'loaded';
  useEffect(() => {
    if (ready) shown.current?.scrollIntoView({ block: 'nearest' });
  }, [ready]);

  const messages = loaded.phase === 'loaded' ? loaded.detail.messages.filter((m) => m.kind !== 'note').slice(-PREVIOUS_MESSAGES_SHOWN) : [];
  return (
    <li className="previous-ticket" data-testid="previous-ticket">
      <p className="previous-ticket-head">
        <span>
          Continues <Link to={`/tickets/${previous.id}`}>#{previous.number}</Link>
        </span>
        {previous.closedAt !== null && <span className="muted">closed {dateTime(previous.closedAt)}</span>}
      </p>
      <button type="button" className="link" aria-expanded={open} onClick={toggle}>
        {open ? `Hide the last messages of #${previous.number}` : `Show the last messages of #${previous.number}`}
      </button>
      {open && loaded.phase === 'loading' && <p className="muted">Loading the last messages of #{previous.number}…</p>}
      {open && loaded.phase === 'failed' && <ErrorNote>{loaded.error}</ErrorNote>}
      {ready &&
        (messages.length === 0 ? (
          <p className="muted">#{previous.number} has no messages.</p>
        ) : (
          <ol className="previous-messages" aria-label={`Last messages of #${previous.number}`} ref={shown}>
            {messages.map((message) => (
              <PreviousMessage key={message.id} message={message} contactName={contactName} />
            ))}
          </ol>
        ))}
    </li>
  );
}

function PreviousMessage({ message, contactName }: { message: Message; contactName: string | null }) {
  const { userName } = useDirectory();
  const author = message.direction === 'inbound' ? (contactName ?? 'Customer') : message.authorKind === 'system' ? 'Automation' : userName(message.authorUserId);
  return (
    <li className={`previous-message previous-message-${message.direction === 'inbound' ? 'customer' : 'team'}`}>
      <div className="bubble-head">
        <span className="author">{author}</span>
        <time dateTime={new Date(message.createdAt).toISOString()}>{dateTime(message.createdAt)}</time>
      </div>
      <p className="previous-message-body">{textOf(message)}</p>
    </li>
  );
}

/** The message as one short text: its fresh text (quoted mail left out), else what it carries. */
function textOf(message: Message): string {
  if (message.data?.unsent && !message.body) return 'The customer took this message back.';
  const fresh = message.body ? splitQuoted(message.body).fresh.trim() : '';
  if (fresh) return fresh;
  if (message.attachments.length) return message.attachments.length === 1 ? `A file: ${message.attachments[0]!.fileName ?? 'attachment'}` : `${message.attachments.length} files`;
  return `A ${message.kind} message`;
}
