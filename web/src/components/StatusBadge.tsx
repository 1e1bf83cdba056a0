// A ticket's status as a coloured word.
import type { TicketStatus } from '../lib/types.js';

const LABEL: Record<TicketStatus, string> = { open: 'Open', pending: 'Pending', resolved: 'Resolved', snoozed: 'Snoozed', closed: 'Closed' };

export function statusLabel(status: TicketStatus): string {
  return LABEL[status];
}

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span className={`status status-${status}`}>{LABEL[status]}</span>;
}
