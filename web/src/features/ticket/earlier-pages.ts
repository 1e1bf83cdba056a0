// A long thread opens at its newest page; older pages are read on request and kept above it while the
// newest page is read again (every change to the ticket reads it again).
import { useCallback, useMemo, useState } from 'react';
import { get, query } from '../../lib/api.js';
import type { Message, ThreadPage, TicketDetail, TimelineEvent } from '../../lib/types.js';

/** What was shown of a ticket's thread when an earlier page was read, with that page: kept above the newest page. */
interface Earlier extends ThreadPage {
  ticketId: string;
}

/** The ticket with the newest page of its thread and every earlier page read so far, and how to read one more. */
export function useEarlierPages(ticketId: string, newest: TicketDetail | undefined): { detail: TicketDetail | undefined; loadEarlier(): Promise<void> } {
  const [state, setEarlier] = useState<Earlier | null>(null);
  const earlier = state?.ticketId === ticketId ? state : null;

  const detail = useMemo(() => {
    if (!newest || !earlier) return newest;
    return { ...newest, messages: uniqueById([...earlier.messages, ...newest.messages]), events: uniqueById([...earlier.events, ...newest.events]), olderCursor: earlier.olderCursor };
  }, [newest, earlier]);

  const loadEarlier = useCallback(async () => {
    if (!detail?.olderCursor) return;
    const page = await get<ThreadPage>(`/api/tickets/${encodeURIComponent(ticketId)}/messages${query({ before: detail.olderCursor })}`);
    // Everything shown so far is kept too: the newest page moves on as messages arrive, and what slides
    // out of it must not leave a gap above it.
    setEarlier({ ticketId, messages: uniqueById([...page.messages, ...detail.messages]), events: uniqueById([...page.events, ...detail.events]), olderCursor: page.olderCursor });
  }, [ticketId, detail]);

  return { detail, loadEarlier };
}

/** Each item once, the last copy kept (the newest read of a message knows its latest delivery state). */
function uniqueById<T extends Message | TimelineEvent>(items: T[]): T[] {
  return [...new Map(items.map((item) => [item.id, item])).values()];
}
