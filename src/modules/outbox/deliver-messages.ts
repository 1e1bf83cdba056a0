// deliverDueMessages: the outbox worker's use case. It leases queued sends, checks the reply policy again
// at send time, keeps to the provider's send rate, hands each message to its channel's sender and records
// the outcome on the message. Waiting (a held channel, the rate limit, no sender yet) uses up no attempt.
import type { Kysely } from 'kysely';
import type { ChannelAccount, ChannelSender, OutboundSend, SendResult } from '../../channels/types.js';
import { retryWhileUnavailable } from '../../db/retry-while-unavailable.js';
import type { ChannelRow, Database, MessageRow } from '../../db/schema.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import { appendTimeline, publishRealtime } from '../../events/event.repo.js';
import { fromJson } from '../../lib/json.js';
import { runLeasedQueue, type ItemOutcome } from '../../lib/leased-queue.js';
import { flagChannelForAttention } from '../channels/channel-attention.js';
import { channelAccount, findChannel } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { commentReplyOf, requireCommentReplyAllowed, type StoredCommentReply } from '../messages/comment-reply.js';
import { formOf, type OutgoingContent } from '../messages/outgoing.js';
import { pairWindow, requireSendAllowed } from '../contacts/reply-window.js';
import { DELIVERY_BACKOFF, MAX_DELIVERY_ATTEMPTS } from '../queue/backoff.js';
import { reportProviderError } from '../../lib/provider-errors.js';
import { giveBackLeases } from '../queue/give-back-leases.js';
import { completeOutbox, giveUpOutbox, leaseDueOutbox, postponeOutbox, releaseOutboxLeases, renewOutboxLease, retryOutboxLater, SEND_TOPIC, type OutboxItem } from '../queue/outbox.repo.js';
import { awaitSendSlot } from './send-rate.js';

export interface Senders {
  /** Real providers by channel kind; a kind without a sender leaves its messages queued. */
  byKind: Partial<Record<ChannelKind, ChannelSender>>;
  /** Where sandbox channels deliver. */
  sandbox: ChannelSender;
  /** The local fake providers a server process runs for sandbox channels, by kind; they come first. */
  sandboxByKind?: Partial<Record<ChannelKind, ChannelSender>>;
}

const LEASE_MS = 60_000;
// Recording gives up this long before the lease ends, so it never races a second run's send.
const RECORD_MARGIN_MS = 10_000;
/** How often a held channel's messages look again; an admin replacing its secrets releases them at once. */
export const HELD_CHANNEL_RECHECK_MS = 60_000;

type Prepared =
  | { send: OutboundSend; sender: ChannelSender; channelVersion: number; channelKind: string }
  /** The provider already has the message (a receipt told us while its answer was lost): nothing to send. */
  | { alreadySent: true }
  | { refused: { code: string; message: string } }
  | { wait: { until: number; reason: string } };

type RelayDeps = Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'>;

/** Writes an outcome in one transaction, told the time as it runs. */
type Recorder = (work: (trx: Kysely<Database>, now: number) => Promise<void>) => Promise<void>;
/** A send's result and how it is to be recorded: once the provider answered, within the lease whatever the store does. */
type Answered<Result extends SendResult> = { result: Result; record: Recorder };
type Delivery = ItemOutcome<Answered<SendResult & { ok: true }>, Answered<SendResult & { ok: false }>>;

const POSTPONED: Delivery = { outcome: 'handled', counted: 'postponed' };

/** Delivers up to `limit` due messages; returns how many were handled (sent, failed or rescheduled). */
export async function deliverDueMessages(deps: RelayDeps, senders: Senders, limit = 50): Promise<number> {
  // Items this run gave a provider: their outcome is known only to it, so their leases are never given back.
  const handedOver = new Set<string>();
  const totals = await runLeasedQueue({
    name: 'outbox-relay',
    batchSize: limit,
    // One send after another, in lease order: each renews its lease first, as those before it may have used it up.
    concurrency: 1,
    lease: (batchSize) => deps.store.unit((trx) => leaseDueOutbox(trx, SEND_TOPIC, deps.clock.now(), LEASE_MS, batchSize)),
    process: (item) => deliverOne(deps, senders, item, handedOver),
    release: (items, error) => giveBackLeases(deps.store, error, items.filter((item) => !handedOver.has(item.id)), releaseOutboxLeases),
    markSucceeded: (item, sent) => sent.record((trx, now) => recordSent(trx, item, sent.result, now)),
    retry: { schedule: DELIVERY_BACKOFF, maxAttempts: MAX_DELIVERY_ATTEMPTS },
    retryLater: (item, failed, delayMs) => failed.record((trx, now) => retryOutboxLater(trx, item.id, now + delayMs, `${failed.result.code}: ${failed.result.message}`)),
    giveUp: (item, failed) => failed.record((trx, now) => recordFailed(trx, item, failed.result, now)),
  });
  return totals.leased;
}

async function deliverOne(deps: RelayDeps, senders: Senders, item: OutboxItem, handedOver: Set<string>): Promise<Delivery> {
  const prepared = await prepareSend(deps, senders, item, deps.clock.now());
  if ('wait' in prepared) {
    await deps.store.unit((trx) => postponeOutbox(trx, item.id, prepared.wait.until, prepared.wait.reason));
    return POSTPONED;
  }
  if ('alreadySent' in prepared) {
    await deps.store.unit((trx) => completeOutbox(trx, item.id, deps.clock.now()));
    return { outcome: 'handled', counted: 'skipped' };
  }
  if ('refused' in prepared) {
    const record: Recorder = (work) => deps.store.unit((trx) => work(trx, deps.clock.now()));
    return { outcome: 'failed', failure: { result: { ok: false, retryable: false, ...prepared.refused }, record }, final: true };
  }
  const rate = prepared.sender.sendRatePerSecond?.(prepared.send.account);
  if (rate) {
    const slot = await awaitSendSlot(deps, prepared.send.channelId, rate);
    if (!slot.granted) {
      await deps.store.unit((trx) => postponeOutbox(trx, item.id, slot.availableAt, `waiting for the channel's send rate (${rate}/s)`));
      return POSTPONED;
    }
  }
  // Sends before this one may have taken most of the lease: renew it, or leave the item to the run that
  // took it over, so no message is sent by two runs at once.
  const renewedAt = performance.now();
  if (!(await deps.store.unit((trx) => renewOutboxLease(trx, item, deps.clock.now() + LEASE_MS)))) return { outcome: 'handled', counted: 'skipped' };
  handedOver.add(item.id);
  const result = await sendSafely(prepared.sender, prepared.send);
  if (!result.ok) reportProviderError({ channelKind: prepared.channelKind, code: result.code, final: !result.retryable });
  // The provider has answered: what it said must be recorded within this lease, or another run would
  // send the message again. A database that blinks meanwhile is waited for, not a reason to resend.
  const record: Recorder = (work) => retryWhileUnavailable(() => deps.store.unit((trx) => work(trx, deps.clock.now())), LEASE_MS - RECORD_MARGIN_MS - (performance.now() - renewedAt));
  if (!result.ok && result.channelNeedsAttention) {
    await record((trx, now) => holdForAttention(trx, item, prepared.send.channelId, prepared.channelVersion, result, now));
    return POSTPONED;
  }
  return result.ok ? { outcome: 'succeeded', value: { result, record } } : { outcome: 'failed', failure: { result, record }, final: !result.retryable };
}

/** Which sender serves a channel: its kind's, or in sandbox mode the simulator unless the kind's serves it there. */
function senderFor(senders: Senders, channel: ChannelRow): ChannelSender | undefined {
  const real = senders.byKind[channel.kind];
  if (!channel.sandbox) return real;
  const fake = senders.sandboxByKind?.[channel.kind];
  if (fake) return fake;
  return real?.servesSandbox?.(channelAccount(channel)) ? real : senders.sandbox;
}

async function prepareSend(deps: Pick<Deps, 'store' | 'allowPrivateOutboundUrls'>, senders: Senders, item: OutboxItem, now: number): Promise<Prepared> {
  const { db } = deps.store;
  const message = await db.selectFrom('messages').selectAll().where('id', '=', item.message_id ?? '').executeTakeFirst();
  const channel = item.channel_id ? await findChannel(db, item.channel_id) : undefined;
  if (!message || !channel) return { refused: { code: 'MESSAGE_MISSING', message: 'The message or its channel no longer exists.' } };
  if (message.provider_message_id !== null || message.status !== 'queued') return { alreadySent: true };
  if (channel.needs_attention_since !== null) {
    return { wait: { until: now + HELD_CHANNEL_RECHECK_MS, reason: `the channel needs an admin: ${channel.attention_reason ?? 'its credentials were refused'}` } };
  }
  const sender = senderFor(senders, channel);
  if (!sender) return { wait: { until: now + LEASE_MS, reason: 'no sender for this channel yet' } };
  const ticket = await db.selectFrom('tickets').select('contact_id').where('id', '=', message.ticket_id).executeTakeFirstOrThrow();
  const pair = await pairWindow(db, channel, ticket.contact_id, now);
  const content = contentOf(message);
  try {
    // The window may have closed while the message waited in the queue.
    // An answer to a comment follows the comment's own rules (a private reply expires), not the window's.
    const commentReply = commentReplyOf(fromJson(message.data));
    if (commentReply) requireCommentReplyAllowed(channel.kind, commentReply, now);
    const { tag } = commentReply ? { tag: null } : requireSendAllowed(pair, formOf(content), message.author_kind === 'agent' ? 'agent' : 'automation');
    return { sender, send: toSend(message, channelAccount(channel, deps), pair.address ?? '', content, tag, commentReply), channelVersion: channel.updated_at, channelKind: channel.kind };
  } catch (error) {
    const refusal = error as { code?: string; message: string };
    return { refused: { code: refusal.code ?? 'REFUSED', message: refusal.message } };
  }
}

function contentOf(message: MessageRow): OutgoingContent {
  return { kind: message.kind as OutgoingContent['kind'], body: message.body, subject: message.subject, template: fromJson(message.template), attachments: fromJson(message.attachments) ?? [] };
}

function toSend(message: MessageRow, account: ChannelAccount, to: string, content: OutgoingContent, tag: string | null, commentReply: StoredCommentReply | null): OutboundSend {
  return {
    messageId: message.id,
    channelId: account.channelId,
    to,
    kind: message.kind as OutboundSend['kind'],
    body: content.body ?? null,
    subject: content.subject ?? null,
    template: content.template ?? null,
    attachments: content.attachments ?? [],
    tag,
    replyToProviderMessageId: message.reply_to_provider_message_id,
    commentReply: commentReply && { commentId: commentReply.commentId, mode: commentReply.mode },
    account,
  };
}

async function sendSafely(sender: ChannelSender, send: OutboundSend): Promise<SendResult> {
  try {
    return await sender.send(send);
  } catch (error) {
    // A sender that throws (network error, timeout) is treated as a temporary failure.
    return { ok: false, retryable: true, code: 'SEND_ERROR', message: String((error as Error).message ?? error) };
  }
}

/** The provider refused the channel's credentials: flag the channel and let the message wait, unfailed. */
async function holdForAttention(trx: Kysely<Database>, item: OutboxItem, channelId: string, channelVersion: number, result: SendResult & { ok: false }, now: number): Promise<void> {
  const flagged = await flagChannelForAttention(trx, channelId, channelVersion, result.message, now);
  // Not flagged: an admin changed the channel while the send was out; try again with what they set.
  await postponeOutbox(trx, item.id, flagged ? now + HELD_CHANNEL_RECHECK_MS : now, `${result.code}: ${result.message}`);
}

async function recordSent(trx: Kysely<Database>, item: OutboxItem, result: SendResult & { ok: true }, now: number): Promise<void> {
  const messageId = item.message_id ?? '';
  await trx.updateTable('messages').set({ status: 'sent', provider_message_id: result.providerMessageId, provider_timestamp: now }).where('id', '=', messageId).where('status', '=', 'queued').execute();
  await completeOutbox(trx, item.id, now);
  await announceStatus(trx, messageId, now);
}

async function recordFailed(trx: Kysely<Database>, item: OutboxItem, result: SendResult & { ok: false }, now: number): Promise<void> {
  const messageId = item.message_id ?? '';
  await trx.updateTable('messages').set({ status: 'failed', error_code: result.code, error_message: result.message }).where('id', '=', messageId).execute();
  await giveUpOutbox(trx, item.id, now, `${result.code}: ${result.message}`);
  await announceStatus(trx, messageId, now, result);
}

/** The message's new status for the agents watching, and on its ticket's timeline why it failed. */
async function announceStatus(trx: Kysely<Database>, messageId: string, now: number, failure?: { code: string; message: string }): Promise<void> {
  const message = await trx.selectFrom('messages').select(['ticket_id', 'workspace_id', 'status']).where('id', '=', messageId).executeTakeFirst();
  if (!message) return;
  const ticket = { id: message.ticket_id, workspace_id: message.workspace_id };
  if (failure) await appendTimeline(trx, ticket, { kind: 'system' }, [{ type: 'message.failed', data: { messageId, code: failure.code, message: failure.message } }], now);
  await publishRealtime(trx, message.workspace_id, [{ type: 'message.status', payload: { ticketId: message.ticket_id, messageId, status: message.status } }], now);
}
