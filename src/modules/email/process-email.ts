// Reading a stored raw mail into the inbox: drop our own mail coming back, turn bounces into failed deliveries,
// and thread everything else into its ticket with its attachments. The payload handler of the email sources.
import { carriesOurLoopMarker } from '../../channels/email/automated-mail.js';
import { parseEmail, type EmailAttachment, type ParsedEmail } from '../../channels/email/parse-email.js';
import { baseAddress } from '../../channels/email/threading-keys.js';
import { normalizeEmailAddress } from '../../channels/email/address.js';
import type { Attachment, InboundMessage } from '../../channels/types.js';
import type { ChannelRow } from '../../db/schema.js';
import { displayNameOf } from '../../domain/attachment-types.js';
import { newId } from '../../lib/ids.js';
import type { AttachmentStorage } from '../attachments/attachment-storage.js';
import { findChannel } from '../channels/channel.repo.js';
import { isAddressBlocked } from '../contacts/contact.repo.js';
import type { Deps } from '../deps.js';
import type { PayloadHandler } from '../inbound/process-inbound.js';
import { ingestInbound, type IngestResult } from '../messages/ingest-inbound.js';
import { findThreadCandidates } from './email-thread-candidates.js';
import { EMAIL_SOURCES, type EmailSource } from './receive-email.js';
import { recordBounce } from './record-bounce.js';

export type EmailOutcome = IngestResult | { outcome: 'ignored'; reason: 'own_mail' | 'no_sender' | 'channel_gone' } | { outcome: 'bounce_recorded' };

/** The handlers the inbound job runs for mail, one per way in. */
export function emailPayloadHandlers(storage: AttachmentStorage): Record<EmailSource, PayloadHandler> {
  const handler: PayloadHandler = async (deps, payload) => {
    await processEmail(deps, storage, payload.channel_id, payload.raw, payload.received_at);
  };
  return Object.fromEntries(EMAIL_SOURCES.map((source) => [source, handler])) as Record<EmailSource, PayloadHandler>;
}

/** Reads one raw mail received for a channel into its ticket. */
export async function processEmail(deps: Pick<Deps, 'store' | 'clock' | 'channelHomes'>, storage: AttachmentStorage, channelId: string | null, raw: Buffer, receivedAt: number): Promise<EmailOutcome> {
  const channel = channelId ? await findChannel(deps.store.db, channelId) : undefined;
  if (!channel || channel.kind !== 'email') return { outcome: 'ignored', reason: 'channel_gone' };
  const mail = await parseEmail(raw);
  if (isOwnMail(mail, channel)) return { outcome: 'ignored', reason: 'own_mail' };
  if (mail.deliveryFailure && (await recordBounce(deps, channel, mail))) return { outcome: 'bounce_recorded' };
  const sender = mail.from ? normalizeEmailAddress(mail.from.address) : null;
  if (!sender) return { outcome: 'ignored', reason: 'no_sender' };
  // A blocked sender's mail is recorded as blocked by ingest; its files are never written.
  const blocked = await isAddressBlocked(deps.store.db, channel.id, sender);
  const threadCandidates = blocked ? [] : await findThreadCandidates(deps.store.db, channel, mail);
  const stored = await storeAttachments(deps, storage, channel, blocked ? [] : mail.attachments);
  try {
    const result = await ingestInbound(deps, inboundMessageOf(channel, mail, sender, stored.attachments, threadCandidates, receivedAt));
    if (result.outcome === 'stored') await stored.link(result.messageId);
    else await stored.discard();
    return result;
  } catch (error) {
    await stored.discard();
    throw error;
  }
}

/** Our own mail coming back: it carries our loop marker, or was sent from the support address itself. */
function isOwnMail(mail: ParsedEmail, channel: ChannelRow): boolean {
  if (carriesOurLoopMarker(mail.header, channel.external_id)) return true;
  return mail.from !== null && baseAddress(mail.from.address) === channel.external_id;
}

function inboundMessageOf(channel: ChannelRow, mail: ParsedEmail, sender: string, attachments: Attachment[], threadCandidates: string[], receivedAt: number): InboundMessage {
  const ours = (address: string) => baseAddress(address) === channel.external_id;
  const body = mail.newText || null;
  return {
    channelId: channel.id,
    providerMessageId: mail.messageId,
    sentAt: mail.sentAt ?? receivedAt,
    contact: { address: sender, displayName: mail.from?.name ?? null },
    kind: !body && attachments.length > 0 ? 'media' : 'text',
    body,
    html: mail.html,
    subject: mail.subject,
    attachments,
    replyToProviderMessageId: mail.inReplyTo[0] ?? null,
    automated: mail.automated,
    data: {
      email: {
        messageId: mail.messageId,
        from: mail.from,
        to: mail.to,
        cc: mail.cc,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        quotedText: mail.quotedText || null,
      },
    },
    threadCandidates,
    participants: [...mail.to, ...mail.cc].filter((a) => !ours(a)).flatMap((a) => normalizeEmailAddress(a) ?? []),
  };
}

/**
 * Puts the mail's files in attachment storage and records them for the channel's workspace before the message
 * is stored, so the message can name them; they are linked to it once it is stored, and removed when the mail
 * turns out to be a duplicate.
 */
async function storeAttachments(deps: Pick<Deps, 'store' | 'clock'>, storage: AttachmentStorage, channel: ChannelRow, files: EmailAttachment[]) {
  const rows: { id: string; storage_key: string }[] = [];
  const attachments: Attachment[] = [];
  try {
    for (const file of files) {
      const key = newId();
      const content = await storage.put(key, file.content);
      const row = {
        id: newId(),
        workspace_id: channel.workspace_id,
        storage_key: key,
        file_name: displayNameOf(file.fileName ?? undefined),
        content_type: file.contentType,
        size_bytes: content.size,
        sha256: content.sha256,
        uploaded_by_user_id: null,
        message_id: null,
        created_at: deps.clock.now(),
      };
      rows.push(row);
      await deps.store.unit((trx) => trx.insertInto('attachments').values(row).execute());
      attachments.push({ attachmentId: row.id, fileName: row.file_name, contentType: row.content_type, size: row.size_bytes, storageKey: key, inline: file.inline });
    }
  } catch (error) {
    await discardRows(deps, storage, rows);
    throw error;
  }
  return {
    attachments,
    link: async (messageId: string) => {
      if (rows.length === 0) return;
      await deps.store.unit((trx) => trx.updateTable('attachments').set({ message_id: messageId }).where('id', 'in', rows.map((r) => r.id)).execute());
    },
    discard: () => discardRows(deps, storage, rows),
  };
}

async function discardRows(deps: Pick<Deps, 'store'>, storage: AttachmentStorage, rows: { id: string; storage_key: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await deps.store.unit((trx) => trx.deleteFrom('attachments').where('id', 'in', rows.map((r) => r.id)).execute());
  for (const row of rows) await storage.delete(row.storage_key);
}
