// A private note in a ticket: a message for the team only, never sent, with no reply window involved.
import type { TeamActor } from '../../domain/actor.js';
import { DomainError } from '../../domain/errors.js';
import { publishRealtime } from '../../events/event.repo.js';
import { claimFiles, uploadedFiles } from '../attachments/message-files.js';
import type { Deps } from '../deps.js';
import { changeTicket } from '../tickets/change-ticket.js';
import { newMessageRow } from './message-row.js';
import { insertMessage } from './message.repo.js';
import { senderOf } from './sender.js';

/** Adds a private note: visible to the team only, never sent, no reply window involved. It may be files alone. */
export async function addNote(deps: Pick<Deps, 'store' | 'clock'>, actor: TeamActor, ticketId: string, body: string, attachmentIds: string[] = []) {
  return deps.store.unit(async (trx) => {
    const now = deps.clock.now();
    const files = await uploadedFiles(trx, actor.workspaceId, attachmentIds);
    if (!body.trim() && files.length === 0) throw new DomainError({ code: 'VALIDATION_FAILED', message: 'Write the note or attach a file before saving it.', details: { field: 'body' } });
    const ticket = await changeTicket(trx, actor, ticketId, now, () => ({ patch: {}, timeline: [] }));
    const author = senderOf(actor);
    const note = await insertMessage(
      trx,
      newMessageRow({
        ticket,
        channelId: ticket.channel_id,
        direction: 'internal',
        author: { kind: author.authorKind, userId: author.authorUserId, integrationId: author.authorIntegrationId },
        kind: 'note',
        status: 'note',
        body: body.trim() ? body : null,
        attachments: files,
        createdAt: now,
      }),
    );
    if (!note) throw new Error('a note cannot collide');
    await claimFiles(trx, actor.workspaceId, files, note.id);
    await publishRealtime(trx, ticket.workspace_id, [{ type: 'message.created', payload: { ticketId: ticket.id, messageId: note.id } }], now);
    return note;
  });
}
