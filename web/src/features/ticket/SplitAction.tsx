// "Split into a new ticket" on a message of an active ticket (never its first): once the agent confirms,
// the message and every later one move to a new ticket that continues this one, which is closed, and the
// new ticket opens with a note naming the ticket it was split from.
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorNote } from '../../components/Notice.js';
import { messageOf, post } from '../../lib/api.js';
import type { Message, Ticket, TicketSplit } from '../../lib/types.js';

/** The ticket's first message as the server orders them (time, then id): the one a ticket cannot be split at. */
export function firstMessageId(messages: Message[]): string | undefined {
  let first: Message | undefined;
  for (const message of messages) if (!first || message.createdAt < first.createdAt || (message.createdAt === first.createdAt && message.id < first.id)) first = message;
  return first?.id;
}

export function SplitAction({ ticket, messageId }: { ticket: Pick<Ticket, 'id' | 'number'>; messageId: string }) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);

  // Leaving the question, keyboard focus returns to the action that asked it.
  useEffect(() => {
    if (confirming || !refocus.current) return;
    refocus.current = false;
    trigger.current?.focus();
  }, [confirming]);

  const close = () => {
    refocus.current = true;
    setConfirming(false);
  };

  const split = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await post<TicketSplit>(`/api/tickets/${encodeURIComponent(ticket.id)}/split`, { messageId });
      navigate(`/tickets/${answer.ticket.id}`, { state: { notice: `Split from #${answer.previousTicket.number}, which is now closed.` } });
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
      close();
    }
  };

  return (
    <div className="split-action">
      {confirming ? (
        <div className="split-confirm" role="group" aria-label="Confirm splitting" onKeyDown={(event) => event.key === 'Escape' && !busy && close()}>
          <p>
            Move this message and all later ones to a new ticket? Ticket #{ticket.number} will be closed with the messages before it, and the new ticket continues it.
          </p>
          <div className="actions">
            <button type="button" className="danger" disabled={busy} onClick={() => void split()}>
              Yes, split it
            </button>
            {/* Focus starts on the way back, so a second Enter never splits by accident. */}
            <button type="button" disabled={busy} onClick={close} autoFocus>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="link" ref={trigger} onClick={() => setConfirming(true)}>
          Split into a new ticket
        </button>
      )}
      <ErrorNote>{error}</ErrorNote>
    </div>
  );
}
