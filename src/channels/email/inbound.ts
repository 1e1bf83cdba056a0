// Reading a stored raw mail into channel-neutral events: our own mail coming back is dropped, a delivery
// report for one of our mails is a bounce, and anything else is a customer message with its files and
// the tickets it points at (reply token, subject token, In-Reply-To and References).
import type { ConversationHint } from '../../domain/reply-threading.js';
import type { StoredDelivery } from '../adapter.js';
import { noEvents, type AccountEvents, type CustomerMessage } from '../inbound-events.js';
import type { ChannelAccount } from '../types.js';
import { normalizeEmailAddress } from './address.js';
import { carriesOurLoopMarker } from './automated-mail.js';
import { failureReason } from './delivery-report.js';
import { parseEmail, type ParsedEmail } from './parse-email.js';
import { senderOf } from './sender-address.js';
import { threadingModeOf } from './setup.js';
import { baseAddress, baseSubject, readBounceToken, readReplyTokens, readSubjectToken, tagMatches } from './threading-keys.js';

// Enough of a References chain to find the conversation; longer ones are older history.
const MAX_REFERENCES = 50;

export async function readEmailDelivery(delivery: StoredDelivery): Promise<AccountEvents[]> {
  const account = delivery.channel;
  if (!account) return [];
  const events = noEvents(account.accountId);
  const mail = await parseEmail(delivery.raw);
  if (isOwnMail(mail, account)) return [{ ...events, dropped: ['own_mail'] }];
  const message = customerMessageOf(mail, account, delivery.receivedAt);
  if (mail.deliveryFailure) {
    const reason = failureReason(mail.deliveryFailure);
    events.bounces.push({
      messageId: readBounceToken([...mail.deliveredTo, ...mail.to], account.accountId),
      providerMessageId: mail.deliveryFailure.originalMessageId,
      ...reason,
      otherwise: message,
    });
  } else if (message) {
    events.messages.push(message);
  } else {
    // Nobody to file it under: kept for an admin to see rather than lost.
    events.unattributed.push({ providerMessageId: mail.messageId, subject: mail.subject, reason: 'no_sender', summary: 'The mail names no usable sender address (no From, Reply-To, Sender or Return-Path).' });
  }
  return [events];
}

/** Our own mail coming back: it carries our loop marker, or was sent from the support address itself. */
function isOwnMail(mail: ParsedEmail, account: ChannelAccount): boolean {
  if (carriesOurLoopMarker(mail.header, account.accountId)) return true;
  return mail.from !== null && baseAddress(mail.from.address) === account.accountId;
}

function customerMessageOf(mail: ParsedEmail, account: ChannelAccount, receivedAt: number): CustomerMessage | null {
  const ours = (address: string) => baseAddress(address) === account.accountId;
  const sender = senderOf(mail, ours);
  if (!sender) return null;
  const body = mail.newText || null;
  return {
    providerMessageId: mail.messageId,
    sentAt: mail.sentAt ?? receivedAt,
    contact: { address: sender.address, displayName: sender.name },
    kind: !body && mail.attachments.length > 0 ? 'media' : 'text',
    body,
    html: mail.html,
    subject: mail.subject,
    files: mail.attachments.map((file) => ({ fileName: file.fileName, contentType: file.contentType, content: file.content, inline: file.inline })),
    replyToProviderMessageId: mail.inReplyTo[0] ?? null,
    automated: mail.automated,
    contentHash: mail.contentHash,
    data: {
      email: {
        messageId: mail.messageId,
        from: mail.from,
        // Which header named the sender: `from`, or the fallback used when the From had no usable address.
        senderHeader: sender.header,
        to: mail.to,
        cc: mail.cc,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        quotedText: mail.quotedText || null,
      },
    },
    threadingHints: threadingHintsOf(mail, account),
    participants: [...mail.to, ...mail.cc].filter((a) => !ours(a)).flatMap((a) => normalizeEmailAddress(a) ?? []),
  };
}

/** Our reply token in the address it was sent to, our subject token, then the mail it answers and the chain before it. */
function threadingHintsOf(mail: ParsedEmail, account: ChannelAccount): CustomerMessage['threadingHints'] {
  const tokens = readReplyTokens([...mail.deliveredTo, ...mail.to, ...mail.cc], account.accountId).map((token) => ({
    number: token.ticketNumber,
    belongsTo: (ticketId: string) => tagMatches(token.tag, ticketId),
    proves: true,
  }));
  const subjectNumber = readSubjectToken(mail.subject);
  // A subject token is written by us into a subject anyone can copy: it names a ticket, it proves nothing.
  const subject = subjectNumber === null ? [] : [{ number: subjectNumber, belongsTo: () => true, proves: false }];
  // The parent first, then the rest of the chain from the newest back.
  const referenced = [...new Set([...mail.inReplyTo, ...[...mail.references].reverse()])].slice(0, MAX_REFERENCES);
  return { ticketNumbers: [...tokens, ...subject], referencedMessageIds: referenced, ...(threadingModeOf(account.settings) === 'conversation' ? { conversation: conversationOf(mail) } : {}) };
}

/** A mail carries on a ticket of its own subject, less reply prefixes and our token; one without a subject carries on any. */
function conversationOf(mail: ParsedEmail): ConversationHint {
  const subject = baseSubject(mail.subject).toLowerCase();
  return { continues: (ticketSubject) => !subject || !baseSubject(ticketSubject) || baseSubject(ticketSubject).toLowerCase() === subject };
}
