// The contact beside a ticket: name and tags (editable), addresses per channel with each channel's
// window now and a block/unblock per channel, the contact's own timeline (blocks, and public comments
// recorded without a ticket), past tickets, and merging a duplicate into this contact.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ChannelIcon } from '../../components/ChannelIcon.js';
import { ErrorNote, Loading } from '../../components/Notice.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { get, messageOf, patch, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { useRealtime } from '../../lib/realtime.js';
import { dateTime } from '../../lib/time.js';
import type { ContactDetail, ContactEvent, ContactSummary } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useNow } from '../../lib/use-now.js';
import { bannerFor } from '../../lib/window-banner.js';
import { ContactPicker } from './ContactPicker.js';

export function ContactPanel({ contactId, currentTicketId }: { contactId: string; currentTicketId?: string }) {
  const contact = useLoad(() => get<ContactDetail>(`/api/contacts/${contactId}`), contactId);
  const { channel } = useDirectory();
  const now = useNow();
  const [editing, setEditing] = useState(false);
  const [merging, setMerging] = useState<ContactSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  // The customer writing moves the windows; a new ticket of theirs joins the list.
  useRealtime((event) => {
    if (event.type !== 'message.status' && contact.data?.tickets.some((t) => t.id === event.ticketId)) void contact.reload();
  });

  if (contact.error) return <ErrorNote>{contact.error}</ErrorNote>;
  if (!contact.data) return <Loading what="the contact" />;
  const { contact: person, identities, tickets } = contact.data;

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const tags = String(form.get('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    try {
      const updated = await patch<ContactDetail>(`/api/contacts/${contactId}`, { name: name || null, tags });
      contact.setData(() => updated);
      setEditing(false);
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  const setBlocked = async (channelId: string, blocked: boolean) => {
    try {
      const updated = await post<ContactDetail>(`/api/contacts/${contactId}/${blocked ? 'block' : 'unblock'}`, { channelId });
      contact.setData(() => updated);
      const name = channel(channelId)?.name ?? 'this channel';
      setDone(blocked ? `Blocked on ${name}: new messages from there open no ticket. An open ticket stays as it is.` : `Unblocked on ${name}.`);
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  const merge = async () => {
    if (!merging) return;
    try {
      const merged = await post<ContactDetail & { movedTicketIds: string[] }>(`/api/contacts/${contactId}/merge`, { duplicateContactId: merging.id });
      contact.setData(() => merged);
      setDone(`${merging.name ?? 'The duplicate'} was merged into this contact; ${merged.movedTicketIds.length} ticket(s) moved here.`);
      setMerging(null);
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <aside className="contact-panel" aria-label="Contact">
      {editing ? (
        <form onSubmit={save} className="stack">
          <label>
            Name
            <input name="name" defaultValue={person.name ?? ''} maxLength={200} autoFocus />
          </label>
          <label>
            Tags
            <input name="tags" defaultValue={person.tags.join(', ')} placeholder="vip, wholesale" />
          </label>
          <div className="actions">
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <header className="contact-head">
          <h2>{person.name ?? 'Unnamed contact'}</h2>
          {person.tags.length > 0 && (
            <p className="tags">
              {person.tags.map((t) => (
                <span key={t} className="chip">
                  {t}
                </span>
              ))}
            </p>
          )}
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Edit contact
          </button>
        </header>
      )}
      <ErrorNote>{error}</ErrorNote>
      {done && <p className="info-note">{done}</p>}

      <h3>Addresses</h3>
      <ul className="identities">
        {identities.map((identity, index) => {
          const source = channel(identity.channelId);
          const blocked = person.blockedChannelIds.includes(identity.channelId);
          // One control per channel, on its first address.
          const firstOnChannel = identities.findIndex((i) => i.channelId === identity.channelId) === index;
          return (
            <li key={identity.id}>
              <ChannelIcon kind={identity.channelKind} name={source?.name} />
              <span>
                {identity.username ? `@${identity.username}` : identity.address}
                {source && <span className="muted"> on {source.name}</span>}
                {identity.blockedAt !== null && <span className="chip">Blocked</span>}
                {identity.window && <span className={`window-state tone-${bannerFor(identity.window, now).tone}`}>{bannerFor(identity.window, now).text}</span>}
                {firstOnChannel && (
                  <button type="button" className="link" onClick={() => void setBlocked(identity.channelId, !blocked)}>
                    {blocked ? 'Unblock' : `Block on ${source?.name ?? 'this channel'}`}
                  </button>
                )}
              </span>
            </li>
          );
        })}
        {identities.length === 0 && <li className="muted">No addresses yet.</li>}
      </ul>

      {contact.data.timeline.length > 0 && (
        <>
          <h3>Timeline</h3>
          <ul className="contact-timeline">
            {contact.data.timeline.map((event) => (
              <ContactEventLine key={event.id} event={event} channelName={channel(String(event.data.channelId))?.name ?? 'a channel'} />
            ))}
          </ul>
        </>
      )}

      <h3>Tickets</h3>
      <ul className="contact-tickets">
        {tickets.map((t) => (
          <li key={t.id}>
            {t.id === currentTicketId ? <strong>#{t.number} (this one)</strong> : <Link to={`/tickets/${t.id}`}>#{t.number}</Link>} <StatusBadge status={t.status} />{' '}
            <span className="muted">
              {channel(t.channelId)?.name ?? ''} · {dateTime(t.createdAt)}
            </span>
          </li>
        ))}
      </ul>

      <details className="merge">
        <summary>Merge a duplicate into this contact</summary>
        {merging ? (
          <div className="stack">
            <p>
              Move every address, ticket and tag of <strong>{merging.name ?? 'the unnamed contact'}</strong> here and delete it?
            </p>
            <div className="actions">
              <button type="button" className="danger" onClick={() => void merge()}>
                Merge
              </button>
              <button type="button" onClick={() => setMerging(null)}>
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <ContactPicker label="Find the duplicate" exclude={contactId} onPick={setMerging} />
        )}
      </details>
    </aside>
  );
}

/** One entry of the contact's own timeline, as a line a person reads. */
function ContactEventLine({ event, channelName }: { event: ContactEvent; channelName: string }) {
  const when = (
    <span className="muted">
      {' '}
      · {channelName} · {dateTime(event.createdAt)}
    </span>
  );
  if (event.type === 'comment.recorded') {
    const body = typeof event.data.body === 'string' && event.data.body.trim() ? event.data.body.trim() : null;
    const permalink = typeof event.data.permalink === 'string' && /^https?:\/\//.test(event.data.permalink) ? event.data.permalink : null;
    return (
      <li className="recorded-comment">
        {body ? <>Commented on a post: “{body}” — recorded without a ticket</> : 'Commented on a post (no text) — recorded without a ticket'}
        {permalink && (
          <>
            {' '}
            ·{' '}
            <a href={permalink} target="_blank" rel="noreferrer noopener">
              the post
            </a>
          </>
        )}
        {when}
      </li>
    );
  }
  const what = event.type === 'contact.blocked' ? 'Blocked' : event.type === 'contact.unblocked' ? 'Unblocked' : event.type;
  return (
    <li className="muted">
      {what} on {channelName} · {dateTime(event.createdAt)}
    </li>
  );
}
