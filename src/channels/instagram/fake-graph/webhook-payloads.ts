// Builders for the webhook bodies Instagram posts to the app (channels.md §B.1), shaped like the fixtures:
// one entry per body, `messaging[]` for DMs and their events, `changes[]` for comments. Tests and the demo
// simulator build bodies with these; `batchInstagram` joins several into one delivery.
import { randomBytes, randomInt } from 'node:crypto';

export interface InstagramWebhook {
  object: 'instagram';
  entry: InstagramWebhookEntry[];
}

export interface InstagramWebhookEntry {
  id: string;
  time: number;
  messaging?: Record<string, unknown>[];
  changes?: { field: string; value: Record<string, unknown> }[];
}

export interface Participants {
  /** The brand's Instagram account id (entry id). */
  accountId: string;
  /** The customer's Instagram-scoped id. */
  igsid: string;
  /** Milliseconds since the epoch. */
  at: number;
}

let sequence = 0;

/** A message id in Instagram's style (base64 of an opaque value). */
export function newInstagramMid(hint = ''): string {
  sequence += 1;
  return Buffer.from(`ig_item:1:${hint}:${sequence}:${randomBytes(6).toString('hex')}`).toString('base64url');
}

/** A numeric id like Instagram's comment and media ids. */
export function newInstagramId(): string {
  sequence += 1;
  return `18${String(randomInt(1e9)).padStart(9, '0')}${String(sequence).padStart(6, '0')}`;
}

function messaging(accountId: string, at: number, event: Record<string, unknown>): InstagramWebhook {
  return { object: 'instagram', entry: [{ id: accountId, time: at, messaging: [{ timestamp: at, ...event }] }] };
}

const fromCustomer = (p: Participants) => ({ sender: { id: p.igsid }, recipient: { id: p.accountId } });

export interface DmInput extends Participants {
  text?: string;
  mid?: string;
  /** Files by type and URL: image, video, audio, file, share, story_mention, ig_reel, reel. */
  attachments?: { type: string; url: string }[];
  replyToMid?: string;
  story?: { id: string; url: string };
  quickReplyPayload?: string;
}

/** A customer's direct message. */
export function instagramDm(input: DmInput): InstagramWebhook {
  const message: Record<string, unknown> = { mid: input.mid ?? newInstagramMid(input.igsid) };
  if (input.text !== undefined) message.text = input.text;
  if (input.attachments) message.attachments = input.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
  if (input.replyToMid) message.reply_to = { mid: input.replyToMid };
  if (input.story) message.reply_to = { story: input.story };
  if (input.quickReplyPayload) message.quick_reply = { payload: input.quickReplyPayload };
  return messaging(input.accountId, input.at, { ...fromCustomer(input), message });
}

/** A message our account sent, echoed back: the account is the sender and the customer the recipient. */
export function instagramEcho(input: Participants & { mid: string; text?: string; attachments?: { type: string; url: string }[] }): InstagramWebhook {
  const message: Record<string, unknown> = { mid: input.mid, is_echo: true };
  if (input.text !== undefined) message.text = input.text;
  if (input.attachments) message.attachments = input.attachments.map((a) => ({ type: a.type, payload: { url: a.url } }));
  return messaging(input.accountId, input.at, { sender: { id: input.accountId }, recipient: { id: input.igsid }, message });
}

/** The customer reacts to a message (`emoji` absent: unreact). */
export function instagramReaction(input: Participants & { mid: string; emoji?: string }): InstagramWebhook {
  const reaction = input.emoji ? { mid: input.mid, action: 'react', reaction: 'love', emoji: input.emoji } : { mid: input.mid, action: 'unreact' };
  return messaging(input.accountId, input.at, { ...fromCustomer(input), reaction });
}

/** The customer read the thread up to a message, or (with only a watermark) up to a time. */
export function instagramRead(input: Participants & ({ mid: string } | { watermark: number })): InstagramWebhook {
  return messaging(input.accountId, input.at, { ...fromCustomer(input), read: 'mid' in input ? { mid: input.mid } : { watermark: input.watermark } });
}

/** The customer unsent a message. */
export function instagramUnsend(input: Participants & { mid: string }): InstagramWebhook {
  return messaging(input.accountId, input.at, { ...fromCustomer(input), message: { mid: input.mid, is_deleted: true } });
}

/** The customer tapped an icebreaker or a button. */
export function instagramPostback(input: Participants & { title: string; payload: string; mid?: string }): InstagramWebhook {
  return messaging(input.accountId, input.at, { ...fromCustomer(input), postback: { mid: input.mid ?? newInstagramMid(input.igsid), title: input.title, payload: input.payload } });
}

export interface CommentInput extends Participants {
  text: string;
  commentId?: string;
  mediaId?: string;
  username?: string;
  mediaProductType?: 'FEED' | 'REELS' | 'STORY' | 'AD';
  parentId?: string;
}

/** A comment on the brand's media (field `comments`); `entry.time` in seconds, as in the fixture. */
export function instagramComment(input: CommentInput): InstagramWebhook {
  const value: Record<string, unknown> = {
    from: { id: input.igsid, username: input.username ?? `user_${input.igsid.slice(-4)}` },
    media: { id: input.mediaId ?? newInstagramId(), media_product_type: input.mediaProductType ?? 'FEED' },
    id: input.commentId ?? newInstagramId(),
    text: input.text,
    ...(input.parentId ? { parent_id: input.parentId } : {}),
  };
  return { object: 'instagram', entry: [{ id: input.accountId, time: Math.floor(input.at / 1000), changes: [{ field: 'comments', value }] }] };
}

/** Several bodies as one batched delivery: their entries side by side. */
export function batchInstagram(bodies: InstagramWebhook[]): InstagramWebhook {
  return { object: 'instagram', entry: bodies.flatMap((b) => b.entry) };
}
