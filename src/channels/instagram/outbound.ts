// What we send to Instagram for one outbound message (channels.md §B.3), and what its refusals mean for
// the message (§B.3.2, §E): both pure, so every shape and every code is tested without a network.
import { GraphError, transportFailure } from '../meta/graph-client.js';
import type { Attachment, OutboundSend, SendResult } from '../types.js';

/** The Graph call for one message: a Send API request, or a public reply under a comment. */
export type InstagramRequest =
  | { kind: 'send'; body: Record<string, unknown> }
  | { kind: 'public-reply'; commentId: string; message: string };

// Instagram limits a text to 1000 bytes of UTF-8 (not characters).
export const INSTAGRAM_TEXT_MAX_BYTES = 1000;

const failure = (code: string, message: string): Extract<SendResult, { ok: false }> => ({ ok: false, retryable: false, code, message });

/** The Send API's attachment type for a file: images, video and audio by their type, anything else as a file. */
export function attachmentTypeOf(contentType: string | null): 'image' | 'video' | 'audio' | 'file' {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'file';
}

/** A public link Meta fetches the file from; Instagram has no upload step for messages. */
function linkOf(attachment: Attachment): string | null {
  return attachment.providerRef && /^https?:\/\//.test(attachment.providerRef) ? attachment.providerRef : null;
}

/** The request for a message, or why it cannot be sent as it is (a final failure: sending again would not help). */
export function buildInstagramRequest(send: OutboundSend): { ok: true; request: InstagramRequest } | Extract<SendResult, { ok: false }> {
  if (send.kind === 'template') return failure('INSTAGRAM_TEMPLATES_UNSUPPORTED', 'Instagram does not support message templates; write a normal message instead.');
  const body = send.body?.trim() ? send.body : null;
  if (body && Buffer.byteLength(body, 'utf8') > INSTAGRAM_TEXT_MAX_BYTES) {
    return failure('INSTAGRAM_TEXT_TOO_LONG', `Instagram takes at most ${INSTAGRAM_TEXT_MAX_BYTES} bytes of text in a message; shorten it or split it in two.`);
  }
  const reply = send.commentReply ?? null;
  if (reply?.mode === 'public') {
    if (send.attachments.length > 0 || !body) return failure('INSTAGRAM_PUBLIC_REPLY_TEXT_ONLY', 'A public reply to a comment is text only.');
    return { ok: true, request: { kind: 'public-reply', commentId: reply.commentId, message: body } };
  }
  if (send.attachments.length > 1 || (send.attachments.length === 1 && body)) {
    return failure('INSTAGRAM_ONE_PART_PER_MESSAGE', 'Instagram sends a text or one file per message; send the text and each file as messages of their own.');
  }
  const recipient = reply ? { comment_id: reply.commentId } : { id: send.to };
  const tagged = send.tag && !reply ? { messaging_type: 'MESSAGE_TAG', tag: send.tag } : {};
  const attachment = send.attachments[0];
  if (attachment) {
    const url = linkOf(attachment);
    if (!url) return failure('INSTAGRAM_MEDIA_NEEDS_LINK', 'Instagram fetches files from a public link, and this file has none; share a link to it instead.');
    return { ok: true, request: { kind: 'send', body: { recipient, ...tagged, message: { attachment: { type: attachmentTypeOf(attachment.contentType), payload: { url } } } } } };
  }
  if (!body) return failure('EMPTY_MESSAGE', 'The message has neither text nor a file.');
  return { ok: true, request: { kind: 'send', body: { recipient, ...tagged, message: { text: body } } } };
}

// Outside the messaging window (code 10 with these subcodes, channels.md §B.3.2): Instagram login, Facebook login.
const WINDOW_SUBCODES = new Set([2534022, 2018278]);
const WINDOW_CLOSED = 10;
const TOKEN_REFUSED = 190;
const UNAVAILABLE = 551;
// Rate limits and temporary errors are worth trying again with backoff; every other refusal is final.
const RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 613, 80002, 80006]);

/** What a failed Graph call means for the message: retry it, fail it with Instagram's code, or hold the channel. */
export function classifyInstagramFailure(error: unknown): Extract<SendResult, { ok: false }> {
  if (!(error instanceof GraphError)) return transportFailure(error, 'Instagram');
  const code = error.code === null ? `HTTP_${error.status}` : error.subcode === null ? String(error.code) : `${error.code}/${error.subcode}`;
  if (error.code === WINDOW_CLOSED && (error.subcode === null || WINDOW_SUBCODES.has(error.subcode))) {
    return failure(code, "Instagram refused this message because the customer's messaging window has closed; they must write again before the brand can answer.");
  }
  if (error.code === TOKEN_REFUSED) {
    return { ok: false, retryable: true, channelNeedsAttention: true, code, message: `Instagram refused the channel's access token (${error.message}); an admin needs to replace it. Messages wait until then.` };
  }
  if (error.code === UNAVAILABLE) return failure(code, "Instagram says this person isn't available right now (they blocked the account, or deactivated theirs); the message was not delivered.");
  const retryable = (error.code !== null && RETRYABLE_CODES.has(error.code)) || error.status >= 500 || error.status === 429;
  return { ok: false, retryable, code, message: error.message };
}
