// The inbox: filters, search and the ticket list, most recently active first, live, loaded page by page
// as the agent scrolls, and driven from the keyboard (j/k to move, enter to open).
import { useEffect, useRef, useState, type RefObject } from 'react';
import { ChannelIcon } from '../../components/ChannelIcon.js';
import { Empty, ErrorNote } from '../../components/Notice.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useDirectory } from '../../lib/directory.js';
import { useShortcuts } from '../../lib/keys.js';
import { useUser } from '../../lib/session.js';
import { ago } from '../../lib/time.js';
import type { Ticket } from '../../lib/types.js';
import { useDebounced } from '../../lib/use-debounced.js';
import { useNow } from '../../lib/use-now.js';
import { DEFAULT_FILTERS, type InboxFilters } from './inbox-filters.js';
import { isUnread, markSeen } from './seen.js';
import { useTicketList } from './use-ticket-list.js';

const FILTERS_KEY = 'threadbox.inbox-filters';
const SEARCH_DELAY_MS = 250;

function savedFilters(): InboxFilters {
  try {
    return { ...DEFAULT_FILTERS, ...(JSON.parse(localStorage.getItem(FILTERS_KEY) ?? '{}') as Partial<InboxFilters>), search: '' };
  } catch {
    return DEFAULT_FILTERS;
  }
}

export interface InboxProps {
  selectedId: string | null;
  onOpen(ticketId: string): void;
}

export function Inbox({ selectedId, onOpen }: InboxProps) {
  const me = useUser();
  const [filters, setFilters] = useState<InboxFilters>(savedFilters);
  // The server searches once the agent pauses typing, not at every key.
  const search = useDebounced(filters.search.trim(), SEARCH_DELAY_MS);
  const list = useTicketList({ ...filters, search }, me.userId);
  const visible = list.tickets;
  const [cursor, setCursor] = useState(0);
  const searchBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const { search: _search, ...kept } = filters;
    localStorage.setItem(FILTERS_KEY, JSON.stringify(kept));
  }, [filters]);

  // Opening a ticket (by click or URL) moves the keyboard cursor to it.
  const selectedIndex = visible.findIndex((t) => t.id === selectedId);
  const [cursorFollows, setCursorFollows] = useState<string | null>(null);
  if (selectedId !== cursorFollows && selectedIndex >= 0) {
    setCursorFollows(selectedId);
    setCursor(selectedIndex);
  }
  const active = Math.min(cursor, Math.max(visible.length - 1, 0));

  const move = (by: number) => {
    const next = Math.max(0, Math.min(visible.length - 1, active + by));
    setCursor(next);
    // Focus follows the cursor, so enter (and a screen reader) acts on the highlighted ticket.
    document.querySelector<HTMLButtonElement>(`#ticket-row-${visible[next]?.id} button`)?.focus();
    if (next >= visible.length - 3 && list.hasMore) list.loadMore();
  };
  const open = (ticket: Ticket | undefined) => {
    if (!ticket) return;
    markSeen(ticket.id, ticket.lastActivityAt);
    onOpen(ticket.id);
  };
  useShortcuts({ j: () => move(1), k: () => move(-1), Enter: () => open(visible[active]), '/': () => searchBox.current?.focus() });

  const set = (change: Partial<InboxFilters>) => {
    setFilters((current) => ({ ...current, ...change }));
    setCursor(0);
  };

  return (
    <section className="inbox" aria-label="Inbox">
      <Filters filters={filters} onChange={set} searchBox={searchBox} />
      <ErrorNote>{list.error}</ErrorNote>
      <ul className="ticket-list" aria-label="Tickets">
        {visible.map((ticket, index) => (
          <TicketRow key={ticket.id} ticket={ticket} selected={ticket.id === selectedId} highlighted={index === active} onOpen={() => open(ticket)} />
        ))}
      </ul>
      {!list.loading && visible.length === 0 && !list.error && (
        <Empty>{search ? `No ticket matches “${search}” under these filters. Try fewer words, or “Any status”.` : 'No tickets here. New conversations appear as soon as customers write.'}</Empty>
      )}
      {list.loading && (
        <p className="loading" role="status">
          {search ? `Searching for “${search}”…` : 'Loading tickets…'}
        </p>
      )}
      <LoadMoreSentinel enabled={list.hasMore && !list.loading} onVisible={list.loadMore} />
    </section>
  );
}

function Filters({ filters, onChange, searchBox }: { filters: InboxFilters; onChange(change: Partial<InboxFilters>): void; searchBox: RefObject<HTMLInputElement | null> }) {
  const { channels } = useDirectory();
  return (
    <div className="filters">
      <div className="segmented" role="group" aria-label="Assigned to">
        {(
          [
            ['me', 'Mine'],
            ['unassigned', 'Unassigned'],
            ['anyone', 'All'],
          ] as const
        ).map(([value, label]) => (
          <button key={value} type="button" aria-pressed={filters.assignee === value} onClick={() => onChange({ assignee: value })}>
            {label}
          </button>
        ))}
      </div>
      <div className="filter-row">
        <label>
          <span className="visually-hidden">Filter by status</span>
          <select aria-label="Filter by status" value={filters.status} onChange={(e) => onChange({ status: e.target.value as InboxFilters['status'] })}>
            <option value="active">Active</option>
            <option value="open">Open</option>
            <option value="pending">Pending</option>
            <option value="resolved">Resolved</option>
            <option value="snoozed">Snoozed</option>
            <option value="closed">Closed</option>
            <option value="any">Any status</option>
          </select>
        </label>
        <select aria-label="Filter by channel" value={filters.channelId} onChange={(e) => onChange({ channelId: e.target.value })}>
          <option value="">All channels</option>
          {channels.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <select aria-label="Filter by who started it" value={filters.createdBy} onChange={(e) => onChange({ createdBy: e.target.value as InboxFilters['createdBy'] })}>
          <option value="">Started by anyone</option>
          <option value="customer">Started by the customer</option>
          <option value="agent">Started by the team</option>
        </select>
      </div>
      <input ref={searchBox} type="search" className="search" placeholder="Search name, #number, text  ( / )" aria-label="Search tickets" value={filters.search} onChange={(e) => onChange({ search: e.target.value })} />
    </div>
  );
}

function TicketRow({ ticket, selected, highlighted, onOpen }: { ticket: Ticket; selected: boolean; highlighted: boolean; onOpen(): void }) {
  const { channel, userName } = useDirectory();
  const now = useNow();
  const unread = !selected && isUnread(ticket);
  const source = channel(ticket.channelId);
  return (
    <li id={`ticket-row-${ticket.id}`} className={`ticket-row${selected ? ' selected' : ''}${highlighted ? ' highlighted' : ''}${unread ? ' unread' : ''}`} aria-current={selected ? 'true' : undefined}>
      <button type="button" onClick={onOpen} aria-label={`Ticket #${ticket.number} from ${ticket.contact.name ?? 'an unnamed contact'}${unread ? ', waiting for a reply' : ''}`}>
        <ChannelIcon kind={source?.kind} name={source?.name} />
        <span className="row-main">
          <span className="row-top">
            <span className="contact-name">{ticket.contact.name ?? 'Unnamed contact'}</span>
            <span className="ticket-number">#{ticket.number}</span>
            <time dateTime={new Date(ticket.lastActivityAt).toISOString()}>{ago(ticket.lastActivityAt, now)}</time>
          </span>
          <span className="preview">
            {ticket.lastMessageDirection === 'outbound' && <span className="you">You: </span>}
            {ticket.subject && <strong>{ticket.subject} · </strong>}
            {ticket.lastMessagePreview ?? 'No messages yet'}
          </span>
          <span className="row-bottom">
            <StatusBadge status={ticket.status} />
            <span className="assignee">{ticket.assigneeUserId ? userName(ticket.assigneeUserId) : 'Unassigned'}</span>
            {unread && <span className="unread-dot" aria-hidden="true" title="Waiting for a reply" />}
          </span>
        </span>
      </button>
    </li>
  );
}

/** Loads the next page when the end of the list scrolls into view. */
function LoadMoreSentinel({ enabled, onVisible }: { enabled: boolean; onVisible(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(onVisible);
  useEffect(() => {
    latest.current = onVisible;
  });
  useEffect(() => {
    const element = ref.current;
    if (!element || !enabled) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && latest.current(), { rootMargin: '200px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [enabled]);
  return <div ref={ref} className="sentinel" aria-hidden="true" />;
}
