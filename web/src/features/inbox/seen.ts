// Which tickets this browser has looked at since their last activity, so new customer messages stand out.
const KEY = 'threadbox.seen';

function read(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, number>;
  } catch {
    return {};
  }
}

/** Remembers that the ticket was looked at with this activity time. */
export function markSeen(ticketId: string, lastActivityAt: number): void {
  const seen = read();
  if ((seen[ticketId] ?? 0) >= lastActivityAt) return;
  seen[ticketId] = lastActivityAt;
  // Only the most recent few hundred are kept; older tickets simply show as read.
  const entries = Object.entries(seen).sort((a, b) => b[1] - a[1]).slice(0, 500);
  localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(entries)));
}

/** The customer wrote last, after this browser last looked. */
export function isUnread(ticket: { id: string; lastActivityAt: number; lastMessageDirection: string | null; status: string }): boolean {
  if (ticket.lastMessageDirection !== 'inbound' || ticket.status === 'closed') return false;
  return (read()[ticket.id] ?? 0) < ticket.lastActivityAt;
}
