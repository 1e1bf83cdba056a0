// How a message changes a ticket's activity columns, which the inbox order and auto-close read.
import type { TicketUpdate } from '../../db/schema.js';

const PREVIEW_LENGTH = 140;

/** A one-line preview of a message for the inbox list. */
export function previewOf(body: string | null, fallback: string): string {
  const text = (body ?? '').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, PREVIEW_LENGTH) : fallback;
}

/** The inbox preview of a team message: its text, else the template's or the first file's name. */
export function previewOfContent(content: { kind: string; body?: string | null; template?: { name: string } | null; attachments?: { fileName: string | null }[] }): string {
  const file = content.attachments?.[0]?.fileName;
  return previewOf(content.body ?? content.template?.name ?? null, file ? `[${file}]` : `[${content.kind}]`);
}

/** A team message: the team spoke last; the first one is the ticket's first response. */
export function teamMessageActivity(now: number, preview: string, firstResponseAt: number | null): TicketUpdate {
  return {
    last_message_direction: 'outbound',
    last_outbound_at: now,
    last_activity_at: now,
    last_message_preview: preview,
    first_response_at: firstResponseAt ?? now,
    updated_at: now,
  };
}
