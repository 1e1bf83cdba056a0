// Reading an Instagram webhook body (channels.md §B.1) into the engine's terms, per Instagram account:
// customers' DMs and comments, the brand's own messages echoed back, reactions, reads and unsends. Every
// array is iterated (Meta batches), unknown fields are ignored, and a message that cannot be read is kept
// as an unsupported message rather than failing its batch. An event whose fields do not have the documented
// types (a number as a text, a string as a timestamp) is reported as unreadable with the reason, never
// read with invented values; the rest of its batch is read as usual.
import { z } from 'zod';
import { mismatchOf } from '../meta/payload-types.js';
import { noEvents, type AccountEvents, type CustomerMessage } from '../inbound-events.js';
import type { Attachment } from '../types.js';
import type { CommentFacts } from '../../domain/comment-rules.js';

/** What one webhook body says about one Instagram professional account (its id is what a channel routes on). */
export type InstagramEntry = AccountEvents;

type Json = Record<string, any>;

// Instagram names a few reactions instead of giving the emoji (channels.md §B.1.1).
const REACTION_EMOJI: Record<string, string> = { love: '❤️', like: '👍', haha: '😆', wow: '😮', sad: '😢', angry: '😡' };
const COMMENT_FIELDS = new Set(['comments', 'live_comments']);

// The documented types (channels.md §B.1) of the fields this reader uses; other fields are not checked.
const optionalText = z.string().optional();
const idSchema = z.union([z.string().min(1), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]);
const epochSchema = z.number().positive();
const eventSchema = z.object({ sender: z.object({ id: idSchema }), recipient: z.object({ id: idSchema }), timestamp: epochSchema });
const messageSchema = z.object({
  mid: z.string().min(1),
  text: optionalText,
  attachments: z.array(z.object({ type: optionalText, payload: z.object({ url: optionalText, title: optionalText, reel_video_id: idSchema.optional() }).nullish() })).optional(),
  is_echo: z.boolean().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
  reply_to: z.object({ mid: optionalText, story: z.object({ id: idSchema.optional(), url: optionalText }).optional() }).optional(),
  quick_reply: z.object({ payload: optionalText }).optional(),
});
const EVENT_SCHEMAS: Record<string, z.ZodType> = {
  message: messageSchema,
  reaction: z.object({ mid: z.string().min(1), action: optionalText, reaction: optionalText, emoji: optionalText }),
  read: z.object({ mid: optionalText, watermark: epochSchema.optional() }),
  postback: z.object({ mid: optionalText, title: optionalText, payload: optionalText }),
};
const commentSchema = z.object({
  id: idSchema,
  text: optionalText,
  timestamp: epochSchema.optional(),
  from: z.object({ id: idSchema, username: optionalText }),
  media: z.object({ id: idSchema.optional(), media_product_type: optionalText, permalink: optionalText, ad_id: idSchema.optional(), ad_title: optionalText }).optional(),
  parent_id: idSchema.optional(),
});

const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v) => v && typeof v === 'object') : []);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const id = (value: unknown): string | null => text(value) ?? (typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : null);

/** Meta's messaging timestamps are ms, comment times are not stated: seconds are scaled to ms. */
export function epochMs(value: unknown, fallback: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return fallback;
  return n < 1e12 ? Math.round(n * 1000) : Math.round(n);
}

/** The Instagram accounts (entry ids) a webhook body is for. */
export function instagramAccountsOf(body: unknown): string[] {
  const ids = new Set<string>();
  for (const entry of list((body as Json | null)?.entry)) {
    const account = id(entry.id);
    if (account) ids.add(account);
  }
  return [...ids];
}

/**
 * The parts of a payload the app reads; everything else in the body is ignored. Every time read comes
 * from the payload itself (`_receivedAt` never stands in for a missing or garbled one).
 */
export function readInstagramPayload(body: unknown, _receivedAt: number): InstagramEntry[] {
  const entries: InstagramEntry[] = [];
  list((body as Json | null)?.entry).forEach((entry, entryIndex) => {
    const accountId = id(entry.id);
    if (!accountId) return;
    const read: InstagramEntry = noEvents(accountId);
    // Standby events come from threads another app owns: the same shape, stored the same way.
    for (const field of ['messaging', 'standby']) {
      list(entry[field]).forEach((event, index) => readMessagingEvent(read, event, `entry[${entryIndex}].${field}[${index}]`));
    }
    list(entry.changes).forEach((change, index) => {
      if (COMMENT_FIELDS.has(change.field)) readComment(read, change, entry.time, `entry[${entryIndex}].changes[${index}]`);
    });
    entries.push(read);
  });
  return entries;
}

function readMessagingEvent(read: InstagramEntry, event: Json, item: string): void {
  const kind = Object.keys(EVENT_SCHEMAS).find((k) => event[k] !== undefined);
  const mismatch = mismatchOf(eventSchema, event) ?? (kind ? mismatchOf(z.object({ [kind]: EVENT_SCHEMAS[kind]! }), event) : null);
  if (mismatch) {
    const providerMessageId = kind ? text(event[kind]?.mid) : null;
    read.unreadable.push({ item, providerMessageId, reason: mismatch });
    return;
  }
  const sender = id(event.sender.id)!;
  const recipient = id(event.recipient.id)!;
  const at = epochMs(event.timestamp, NaN);
  if (event.message && typeof event.message === 'object') return readMessage(read, event.message as Json, sender, recipient, at);
  if (event.reaction && typeof event.reaction === 'object') {
    const target = text(event.reaction.mid);
    if (!target) return void read.errors.push({ code: 'unreadable_reaction', message: 'A reaction without the message it is for was skipped.' });
    const emoji = event.reaction.action === 'unreact' ? null : (text(event.reaction.emoji) ?? REACTION_EMOJI[String(event.reaction.reaction)] ?? text(event.reaction.reaction));
    read.reactions.push({ targetProviderMessageId: target, emoji, from: sender, at });
    return;
  }
  if (event.read && typeof event.read === 'object') {
    const watermark = event.read.watermark === undefined ? null : epochMs(event.read.watermark, at);
    read.reads.push({ providerMessageId: text(event.read.mid), watermark, from: sender, at });
    return;
  }
  if (event.postback && typeof event.postback === 'object') {
    const { postback } = event;
    read.messages.push({
      // A postback without a mid is keyed like Meta's reads (sender and time), so a redelivery is stored once.
      providerMessageId: text(postback.mid) ?? `postback:${sender}:${at}`,
      sentAt: at,
      contact: { address: sender },
      kind: 'interactive',
      body: text(postback.title) ?? text(postback.payload),
      data: { postback: { title: text(postback.title), payload: text(postback.payload) } },
    });
    return;
  }
  // Referrals to an existing thread and other notices carry no message to store.
  if (!event.referral) read.errors.push({ code: 'unknown_event', message: `A messaging event with only ${Object.keys(event).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k)).join(', ') || 'no content'} was skipped.` });
}

function readMessage(read: InstagramEntry, message: Json, sender: string, recipient: string, at: number): void {
  const mid = message.mid as string;
  if (message.is_deleted === true) return void read.unsends.push({ providerMessageId: mid, from: sender, at });
  let content: Pick<CustomerMessage, 'kind' | 'body' | 'attachments' | 'data'>;
  try {
    content = contentOf(message);
  } catch (error) {
    content = { kind: 'unsupported', body: text(message.text), data: { problem: (error as Error).message } };
  }
  if (message.is_echo === true) {
    read.echoes.push({ providerMessageId: mid, to: recipient, sentAt: at, kind: content.kind, body: content.body, attachments: content.attachments ?? [], data: content.data ?? null });
    return;
  }
  read.messages.push({ providerMessageId: mid, sentAt: at, contact: { address: sender }, replyToProviderMessageId: text(message.reply_to?.mid), ...content });
}

function attachmentOf(item: Json): { attachment: Attachment | null; data: Record<string, unknown> } {
  const type = String(item.type ?? 'unknown');
  const payload = (item.payload ?? {}) as Json;
  const url = text(payload.url);
  const data: Record<string, unknown> = { type, ...(url ? { url } : {}), ...(text(payload.title) ? { title: payload.title } : {}), ...(id(payload.reel_video_id) ? { reelVideoId: id(payload.reel_video_id) } : {}) };
  // The URL is a CDN link that expires: it is downloaded (media-fetch), the link kept to retry with.
  const attachment: Attachment | null = url ? { fileName: `instagram-${type}`, contentType: null, size: null, providerRef: url, storageKey: null } : null;
  return { attachment, data };
}

function contentOf(message: Json): Pick<CustomerMessage, 'kind' | 'body' | 'attachments' | 'data'> {
  const body = text(message.text);
  const data: Record<string, unknown> = {};
  if (message.reply_to?.story) data.storyReply = { id: id(message.reply_to.story.id), url: text(message.reply_to.story.url) };
  if (message.referral && typeof message.referral === 'object') data.referral = message.referral;
  if (message.is_unsupported === true) return { kind: 'unsupported', body, data: { ...data, unsupported: true } };
  const items = list(message.attachments);
  if (items.length > 0) {
    const read = items.map(attachmentOf);
    const attachments = read.flatMap((r) => (r.attachment ? [r.attachment] : []));
    if (attachments.length === 0 && !body) throw new Error(`an attachment (${read.map((r) => r.data.type).join(', ')}) without a URL`);
    const types = read.map((r) => r.data.type);
    if (types.includes('story_mention')) data.storyMention = true;
    return { kind: 'media', body, attachments, data: { ...data, media: read.map((r) => r.data) } };
  }
  if (!body) throw new Error('a message without text or attachments');
  const quickReply = text(message.quick_reply?.payload);
  if (quickReply) return { kind: 'interactive', body, data: { ...data, quickReply: { payload: quickReply } } };
  return { kind: 'text', body, data: Object.keys(data).length ? data : null };
}

/** What comment rules read of a comment: its text and the post it is under (the link once enrich found it). */
export function instagramCommentFacts(message: CustomerMessage): CommentFacts | null {
  const comment = message.kind === 'comment' ? (message.data?.comment as { mediaId?: string | null; permalink?: string | null } | undefined) : undefined;
  return comment ? { text: message.body ?? null, mediaId: comment.mediaId ?? null, permalink: comment.permalink ?? null } : null;
}

function readComment(read: InstagramEntry, change: Json, entryTime: unknown, item: string): void {
  const value = (change.value ?? {}) as Json;
  const mismatch = mismatchOf(commentSchema, value) ?? (value.timestamp === undefined ? mismatchOf(z.object({ time: epochSchema }), { time: entryTime }) : null);
  if (mismatch) return void read.unreadable.push({ item, providerMessageId: id(value.id), reason: `comment: ${mismatch}` });
  const commentId = id(value.id)!;
  const from = id(value.from.id)!;
  const media = (value.media ?? {}) as Json;
  const sentAt = epochMs(value.timestamp ?? entryTime, NaN);
  const data = {
    comment: {
      id: commentId,
      mediaId: id(media.id),
      mediaProductType: text(media.media_product_type),
      permalink: text(media.permalink),
      parentId: id(value.parent_id),
      live: change.field === 'live_comments',
      ...(id(media.ad_id) ? { adId: id(media.ad_id), adTitle: text(media.ad_title) } : {}),
    },
  };
  if (from === read.accountId) {
    // The account's own comment: a public answer under a customer's comment (from this app, recorded
    // once, or from Instagram's app), kept in the customer's ticket like any message the brand sent.
    const parentId = id(value.parent_id);
    if (parentId) read.echoes.push({ providerMessageId: commentId, to: null, answers: parentId, sentAt, kind: 'comment', body: text(value.text), attachments: [], data });
    return;
  }
  read.messages.push({
    providerMessageId: commentId,
    sentAt,
    contact: { address: from, username: text(value.from?.username) },
    kind: 'comment',
    body: text(value.text),
    // A comment lets the brand answer it (privately or in public), not write freely in DMs.
    opensReplyWindow: false,
    data,
  });
}
