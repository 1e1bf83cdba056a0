// What an agent does to a ticket: assign (or take it with "a"), status, snooze, close, reopen (showing
// why not when the customer has another active ticket), priority and tags.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorNote } from '../../components/Notice.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ApiError, messageOf, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { useShortcuts } from '../../lib/keys.js';
import { useUser } from '../../lib/session.js';
import { dateTime, toLocalInput } from '../../lib/time.js';
import { AGENT_SETTABLE_STATUSES, PRIORITIES, type Ticket } from '../../lib/types.js';

const HOUR = 3_600_000;

export function TicketActions({ ticket, onChanged }: { ticket: Ticket; onChanged(ticket: Ticket): void }) {
  const me = useUser();
  const { teammates: people, userName } = useDirectory();
  const [error, setError] = useState<{ text: string; activeTicketId?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [snoozeUntil, setSnoozeUntil] = useState(() => toLocalInput(Date.now() + 24 * HOUR));
  const [tags, setTags] = useState(ticket.tags.join(', '));
  const [tagsFor, setTagsFor] = useState(ticket);
  if (tagsFor.id !== ticket.id || tagsFor.tags.join() !== ticket.tags.join()) {
    setTagsFor(ticket);
    setTags(ticket.tags.join(', '));
  }

  const act = async (path: string, body: unknown = {}) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await post<{ ticket: Ticket }>(`/api/tickets/${ticket.id}/${path}`, body);
      onChanged(answer.ticket);
    } catch (failure) {
      const activeTicketId = failure instanceof ApiError && typeof failure.details?.activeTicketId === 'string' ? failure.details.activeTicketId : undefined;
      setError({ text: messageOf(failure), activeTicketId });
    } finally {
      setBusy(false);
    }
  };

  const closed = ticket.status === 'closed';
  const assignToMe = () => ticket.assigneeUserId !== me.userId && void act('assignee', { userId: me.userId });
  useShortcuts({ a: assignToMe });

  const saveTags = (event?: FormEvent) => {
    event?.preventDefault();
    const next = tags.split(',').map((t) => t.trim()).filter(Boolean);
    if (next.join() !== ticket.tags.join()) void act('tags', { tags: next });
  };

  const teammates = people.filter((u) => u.id !== me.userId);
  return (
    <section className="ticket-actions" aria-label="Ticket actions">
      <div className="action-row">
        <label>
          Assignee
          <select value={ticket.assigneeUserId ?? ''} disabled={busy} onChange={(e) => void act('assignee', { userId: e.target.value || null })}>
            <option value="">Unassigned</option>
            <option value={me.userId}>Me ({me.name})</option>
            {ticket.assigneeUserId && ticket.assigneeUserId !== me.userId && !teammates.some((u) => u.id === ticket.assigneeUserId) && (
              <option value={ticket.assigneeUserId}>{userName(ticket.assigneeUserId)}</option>
            )}
            {teammates.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        {ticket.assigneeUserId !== me.userId && (
          <button type="button" onClick={assignToMe} disabled={busy} aria-keyshortcuts="a" title="Shortcut: a">
            Assign to me <kbd>a</kbd>
          </button>
        )}
        <label>
          Priority
          <select value={ticket.priority} disabled={busy} onChange={(e) => void act('priority', { priority: e.target.value })}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p[0]!.toUpperCase() + p.slice(1)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="action-row">
        <StatusBadge status={ticket.status} />
        {ticket.status === 'snoozed' && ticket.snoozedUntil && <span className="muted">until {dateTime(ticket.snoozedUntil)}</span>}
        {!closed && (
          <>
            <label>
              Status
              <select value={ticket.status} disabled={busy} onChange={(e) => (e.target.value === 'snoozed' ? undefined : void act('status', { status: e.target.value }))}>
                {AGENT_SETTABLE_STATUSES.map((s) => (
                  <option key={s} value={s} disabled={s === 'snoozed'}>
                    {s[0]!.toUpperCase() + s.slice(1)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Snooze until
              <input type="datetime-local" value={snoozeUntil} onChange={(e) => setSnoozeUntil(e.target.value)} />
            </label>
            <button type="button" disabled={busy || !snoozeUntil} onClick={() => void act('status', { status: 'snoozed', snoozeUntil: new Date(snoozeUntil).getTime() })}>
              Snooze
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void act('close')}>
              Close ticket
            </button>
          </>
        )}
        {closed && (
          <button type="button" disabled={busy} onClick={() => void act('reopen')}>
            Reopen
          </button>
        )}
        <form className="tags-form" onSubmit={saveTags}>
          <label>
            Tags
            <input value={tags} placeholder="billing, vip" onChange={(e) => setTags(e.target.value)} onBlur={() => saveTags()} />
          </label>
        </form>
      </div>
      {error && (
        <ErrorNote>
          {error.text} {error.activeTicketId && <Link to={`/tickets/${error.activeTicketId}`}>Open the active ticket</Link>}
        </ErrorNote>
      )}
    </section>
  );
}
