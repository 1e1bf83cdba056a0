// The inbox list: pages from the cursor API, and tickets that appear, move or leave as live events say.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, messageOf, query } from '../../lib/api.js';
import { useRealtime } from '../../lib/realtime.js';
import type { Ticket, TicketDetail } from '../../lib/types.js';
import { byActivity, listQuery, matchesFilters, type InboxFilters } from './inbox-filters.js';

const PAGE = 30;
const REFRESH_MS = 300;

export interface TicketList {
  tickets: Ticket[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore(): void;
}

interface ListState {
  /** The filters these tickets were loaded for. */
  key: string;
  tickets: Ticket[];
  cursor: string | null;
  loading: boolean;
  error: string | null;
}

export function useTicketList(filters: InboxFilters, myUserId: string): TicketList {
  const key = JSON.stringify(listQuery(filters));
  const [state, setState] = useState<ListState>({ key, tickets: [], cursor: null, loading: true, error: null });
  // New filters start a new list at once; answers for the old filters are dropped below.
  if (state.key !== key) setState({ key, tickets: [], cursor: null, loading: true, error: null });
  const currentKey = useRef(key);
  useEffect(() => {
    currentKey.current = key;
  });

  const fetchPage = useCallback(async (forKey: string, after: string | null) => {
    try {
      const page = await get<{ tickets: Ticket[]; nextCursor: string | null }>(`/api/tickets${query({ ...(JSON.parse(forKey) as Record<string, string>), cursor: after ?? undefined, limit: PAGE })}`);
      setState((s) => {
        if (s.key !== forKey) return s;
        const known = new Set(s.tickets.map((t) => t.id));
        return { ...s, tickets: [...s.tickets, ...page.tickets.filter((t) => !known.has(t.id))].sort(byActivity), cursor: page.nextCursor, loading: false, error: null };
      });
    } catch (failure) {
      setState((s) => (s.key === forKey ? { ...s, loading: false, error: messageOf(failure) } : s));
    }
  }, []);

  useEffect(() => {
    void fetchPage(key, null);
  }, [key, fetchPage]);

  // A search result can gain a ticket only the server can match (the text is in its messages), so while
  // searching, an event about a ticket not in the list asks for the first page again, at most once per
  // burst of events, and that page replaces the newest part of the list.
  const refreshing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(refreshing.current ?? undefined), []);
  const refreshNewest = useCallback((forKey: string) => {
    if (refreshing.current) return;
    refreshing.current = setTimeout(() => {
      refreshing.current = null;
      get<{ tickets: Ticket[]; nextCursor: string | null }>(`/api/tickets${query({ ...(JSON.parse(forKey) as Record<string, string>), limit: PAGE })}`).then(
        (page) => setState((s) => (s.key === forKey ? { ...s, ...withNewestPage(s, page) } : s)),
        () => undefined,
      );
    }, REFRESH_MS);
  }, []);
  const loaded = useRef(state.tickets);
  useEffect(() => {
    loaded.current = state.tickets;
  });

  // Each event names a ticket; it is read again and placed by its new activity time, or dropped when
  // it no longer matches the filters. A delivery status changes neither the preview nor the order.
  useRealtime((event) => {
    if (event.type === 'message.status') return;
    const forKey = currentKey.current;
    if (filters.search.trim() && !loaded.current.some((t) => t.id === event.ticketId)) {
      refreshNewest(forKey);
      return;
    }
    get<TicketDetail>(`/api/tickets/${event.ticketId}`).then(
      ({ ticket }) =>
        setState((s) => {
          if (s.key !== forKey) return s;
          const others = s.tickets.filter((t) => t.id !== ticket.id);
          return { ...s, tickets: matchesFilters(ticket, filters, myUserId) ? [...others, ticket].sort(byActivity) : others };
        }),
      () => undefined,
    );
  });

  const loadMore = useCallback(() => {
    if (!state.cursor || state.loading) return;
    setState((s) => ({ ...s, loading: true }));
    void fetchPage(state.key, state.cursor);
  }, [state.cursor, state.loading, state.key, fetchPage]);

  return { tickets: state.tickets, loading: state.loading, error: state.error, hasMore: state.cursor !== null, loadMore };
}

/**
 * The list with a freshly read first page in place of the tickets it covers: everything down to its last
 * ticket, or the whole list when it was the only page.
 */
function withNewestPage(list: Pick<ListState, 'tickets' | 'cursor'>, page: { tickets: Ticket[]; nextCursor: string | null }): Pick<ListState, 'tickets' | 'cursor'> {
  if (page.nextCursor === null) return { tickets: page.tickets, cursor: null };
  const last = page.tickets.at(-1);
  const fresh = new Set(page.tickets.map((t) => t.id));
  const older = list.tickets.filter((t) => !fresh.has(t.id) && last !== undefined && byActivity(last, t) < 0);
  return { tickets: [...page.tickets, ...older], cursor: list.cursor };
}
