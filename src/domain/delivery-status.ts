// Delivery receipts arrive unordered and repeated (channels.md §1.3): a message's status only moves
// forward (queued < sent < delivered < read), and failed is final.

export type OutboundStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

const RANK: Record<Exclude<OutboundStatus, 'failed'>, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };

/** The status a receipt moves the message to, or null when it would move it back (or nowhere). */
export function advanceDeliveryStatus(current: OutboundStatus, receipt: ReceiptStatus): OutboundStatus | null {
  if (current === 'failed') return null;
  // A message the customer has read was delivered, whatever a late failure report says.
  if (receipt === 'failed') return current === 'read' ? null : 'failed';
  return RANK[receipt] > RANK[current] ? receipt : null;
}
