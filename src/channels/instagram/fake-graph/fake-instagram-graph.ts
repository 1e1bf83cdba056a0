// A local stand-in for Instagram's Graph API (channels.md §B.3), over real HTTP: the Send API with the
// 24-hour window and the 7-day HUMAN_AGENT window, private replies (7 days, once per comment), public
// comment replies, profile and media lookups, and CDN-style media links. Accepted sends come back as
// signed echo webhooks, like Instagram's. Tests and the demo's sandbox put its `url` in a channel's
// `settings.graphBaseUrl` and read back what was sent.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Answer, FakeMetaServer, knownBearer, type FakeListenOptions, type FakeRoute, type RecordedRequestBase } from '../../meta/fake/fake-meta-server.js';
import { fbtraceId, invalidTokenError, unknownObjectError, type GraphErrorAnswer, type GraphErrorObject } from '../../meta/fake/graph-errors.js';
import { metaJson, type DeliverOptions, type WebhookDelivery } from '../../meta/fake/webhook-delivery.js';
import { instagramEcho, newInstagramId, newInstagramMid, type InstagramWebhook } from './webhook-payloads.js';

const HOUR_MS = 60 * 60 * 1000;
const STANDARD_WINDOW_MS = 24 * HOUR_MS;
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;
const PRIVATE_REPLY_WINDOW_MS = 7 * 24 * HOUR_MS;
const TEXT_MAX_BYTES = 1000;

export interface FakeInstagramAccount {
  /** The professional account's id (webhook `entry[].id`, the `{IG_ID}` of `/{IG_ID}/messages`). */
  accountId: string;
  /** The only bearer token this account's endpoints accept. */
  accessToken: string;
  username?: string;
}

export interface FakeInstagramOptions extends FakeListenOptions {
  accounts?: FakeInstagramAccount[];
  /** The clock for the windows, epoch ms; defaults to the system clock. */
  now?: () => number;
  /** Where accepted sends are echoed back as signed webhooks (channels.md §B.4); none when absent. */
  echoTo?: { url: string; appSecret: string };
  /** Whether sends are checked against the windows (default true); the demo's sandbox may turn it off. */
  enforceRules?: boolean;
}

export type FakeInstagramEndpoint = 'messages' | 'comment-replies' | 'lookup' | 'media-download';

export interface InstagramRecordedRequest extends RecordedRequestBase<FakeInstagramEndpoint> {
  /** The account or object id in the path. */
  objectId: string | null;
}

/** An accepted Send API call. */
export interface InstagramSent {
  messageId: string;
  accountId: string;
  /** The customer's IGSID (for a private reply, the commenter's). */
  igsid: string | null;
  commentId: string | null;
  tag: string | null;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  path: string;
  at: number;
}

/** An accepted public reply under a comment. */
export interface InstagramPublicReply {
  id: string;
  commentId: string;
  message: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface InstagramFailureSpec {
  /** HTTP status; defaults to the code's usual one. */
  status?: number;
  /** An Instagram error code (its envelope is built), or a whole error object; default 2 (temporary). */
  error?: number | GraphErrorObject;
  subcode?: number;
  /** A raw body instead of a Graph error, e.g. a proxy's HTML page. */
  rawBody?: string;
  accountId?: string;
  endpoint?: FakeInstagramEndpoint;
}

export interface InstagramHangSpec {
  accountId?: string;
  endpoint?: FakeInstagramEndpoint;
}

// Wording from channels.md §B.3.2 and Meta's error page; statuses as seen in implementations.
const KNOWN: Record<number, { message: string; type: string; status: number }> = {
  1: { message: 'An unknown error occurred', type: 'OAuthException', status: 500 },
  2: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', status: 503 },
  4: { message: 'Application request limit reached', type: 'OAuthException', status: 400 },
  10: { message: 'This message is sent outside of allowed window.', type: 'IGApiException', status: 403 },
  100: { message: 'Invalid parameter', type: 'IGApiException', status: 400 },
  551: { message: "This person isn't available right now.", type: 'IGApiException', status: 400 },
  613: { message: 'Calls to this api have exceeded the rate limit.', type: 'OAuthException', status: 400 },
};

/** Instagram's error envelope for a code (190 is the invalid-token answer). */
export function instagramError(code: number, subcode?: number, status?: number, message?: string): GraphErrorAnswer {
  if (code === 190) return invalidTokenError(status);
  const known = KNOWN[code];
  const error: GraphErrorObject = { message: message ?? known?.message ?? 'An error occurred', type: known?.type ?? 'IGApiException', code, fbtrace_id: fbtraceId() };
  if (subcode !== undefined) error.error_subcode = subcode;
  return { status: status ?? known?.status ?? 400, body: { error } };
}

const outsideWindow = () => instagramError(10, 2534022);
const invalid = (message: string) => instagramError(100, undefined, 400, message);
const isObject = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class FakeInstagramGraph extends FakeMetaServer<FakeInstagramEndpoint, InstagramRecordedRequest, InstagramFailureSpec, InstagramHangSpec> {
  /** Every accepted Send API call (DMs and private replies). */
  readonly sent: InstagramSent[] = [];
  /** Every accepted public comment reply. */
  readonly publicReplies: InstagramPublicReply[] = [];
  echoTo: { url: string; appSecret: string } | null;
  private readonly accounts = new Map<string, FakeInstagramAccount>();
  private readonly lastMessage = new Map<string, number>();
  private readonly comments = new Map<string, { accountId: string; igsid: string; at: number; privatelyAnswered: boolean }>();
  private readonly profiles = new Map<string, { name?: string; username?: string }>();
  private readonly permalinks = new Map<string, string>();
  private readonly media = new Map<string, { bytes: Buffer; contentType: string }>();
  private readonly enforce: boolean;

  constructor(options: FakeInstagramOptions = {}) {
    super(options, options.now);
    this.echoTo = options.echoTo ?? null;
    this.enforce = options.enforceRules ?? true;
    for (const account of options.accounts ?? []) this.addAccount(account);
  }

  addAccount(account: FakeInstagramAccount): void {
    this.accounts.set(account.accountId, { ...account });
  }

  /** Records that the customer wrote to the account at `atMs`, opening the windows again. */
  customerWrote(accountId: string, igsid: string, atMs: number): void {
    const key = `${accountId}:${igsid}`;
    this.lastMessage.set(key, Math.max(this.lastMessage.get(key) ?? 0, atMs));
  }

  /** Records a customer's comment on the account's media, which may be answered privately for 7 days. */
  commented(accountId: string, commentId: string, igsid: string, atMs: number): void {
    if (!this.comments.has(commentId)) this.comments.set(commentId, { accountId, igsid, at: atMs, privatelyAnswered: false });
  }

  /** What a profile lookup of this IGSID answers. */
  setProfile(igsid: string, profile: { name?: string; username?: string }): void {
    this.profiles.set(igsid, profile);
  }

  /** What a media lookup answers for the permalink of this media id. */
  setPermalink(mediaId: string, permalink: string): void {
    this.permalinks.set(mediaId, permalink);
  }

  /** Serves bytes at a CDN-style link (no token needed, like Instagram's attachment URLs); returns the link. */
  addMedia(bytes: Buffer | Uint8Array | string, contentType: string): string {
    const key = randomBytes(12).toString('hex');
    this.media.set(key, { bytes: Buffer.from(bytes), contentType });
    return `${this.url}/ig_messaging_cdn/${key}?signature=${randomBytes(8).toString('hex')}`;
  }

  /**
   * POSTs a webhook to the app, serialised and signed like Meta (§1.2); a string or Buffer is sent byte for
   * byte (a fixture file). Customer messages in it open the windows, comments may be answered privately.
   */
  async deliverWebhook(appWebhookUrl: string, payload: InstagramWebhook | string | Buffer, appSecret: string, options: DeliverOptions = {}): Promise<WebhookDelivery> {
    const raw = typeof payload === 'string' || Buffer.isBuffer(payload) ? Buffer.from(payload) : Buffer.from(metaJson(payload));
    this.noteInbound(JSON.parse(raw.toString('utf8')) as InstagramWebhook);
    return this.postToApp(appWebhookUrl, raw, appSecret, options);
  }

  /** Forgets recorded traffic and pending failures; accounts, windows, comments and media stay. */
  reset(): void {
    this.forgetTraffic();
    for (const list of [this.sent, this.publicReplies]) list.length = 0;
  }

  private noteInbound(body: InstagramWebhook): void {
    for (const entry of body?.entry ?? []) {
      for (const event of entry.messaging ?? []) {
        const message = event.message as Record<string, unknown> | undefined;
        const sender = (event.sender as { id?: string } | undefined)?.id;
        if (sender && sender !== entry.id && message && !message.is_echo && !message.is_deleted) this.customerWrote(entry.id, sender, Number(event.timestamp));
      }
      for (const change of entry.changes ?? []) {
        const from = (change.value.from as { id?: string } | undefined)?.id;
        if (change.field === 'comments' && from && typeof change.value.id === 'string') this.commented(entry.id, change.value.id, from, Number(entry.time) * (Number(entry.time) < 1e12 ? 1000 : 1));
      }
    }
  }

  protected recordOf(base: RecordedRequestBase<FakeInstagramEndpoint>, route: FakeRoute<FakeInstagramEndpoint> | null): InstagramRecordedRequest {
    return { ...base, objectId: route?.scope ?? null };
  }

  protected appliesTo(spec: InstagramFailureSpec | InstagramHangSpec, route: FakeRoute<FakeInstagramEndpoint>): boolean {
    return spec.accountId === undefined || spec.accountId === route.scope;
  }

  protected injected(spec: InstagramFailureSpec): Answer {
    if (spec.rawBody !== undefined) return new Answer(spec.status ?? 500, spec.rawBody, 'text/html; charset=utf-8');
    if (typeof spec.error === 'object') return Answer.json(spec.status ?? 400, { error: spec.error });
    return Answer.error(instagramError(spec.error ?? 2, spec.subcode, spec.status));
  }

  protected routeOf(method: string, segments: string[]): FakeRoute<FakeInstagramEndpoint> | null {
    if (method === 'GET' && segments[0] === 'ig_messaging_cdn' && segments.length === 2) {
      return { endpoint: 'media-download', scope: null, run: () => this.download(segments[1]!) };
    }
    if (!/^v\d+\.\d+$/.test(segments[0] ?? '')) return null;
    const [, id, edge] = segments;
    if (!id || segments.length > 3) return null;
    if (method === 'POST' && edge === 'messages') return { endpoint: 'messages', scope: id, run: (req, record) => this.sendMessage(req, record, id) };
    if (method === 'POST' && edge === 'replies') return { endpoint: 'comment-replies', scope: id, run: (req, _record, url) => this.replyInPublic(req, url, id) };
    if (method === 'GET' && edge === undefined) return { endpoint: 'lookup', scope: id, run: (req, _record, url) => this.lookup(req, url, id) };
    return null;
  }

  private token(req: IncomingMessage): string | GraphErrorAnswer {
    return knownBearer(req, [...this.accounts.values()].map((a) => a.accessToken));
  }

  private sendMessage(req: IncomingMessage, record: RecordedRequestBase<FakeInstagramEndpoint>, pathId: string): Answer {
    const token = this.token(req);
    if (typeof token !== 'string') return Answer.error(token);
    const account = pathId === 'me' ? [...this.accounts.values()].find((a) => a.accessToken === token) : this.accounts.get(pathId);
    if (!account || account.accessToken !== token) return Answer.error(unknownObjectError(pathId, 'POST'));
    const body = record.body;
    if (!isObject(body) || !isObject(body.recipient)) return Answer.error(invalid('(#100) The parameter recipient is required'));
    const refused = checkMessage(body);
    if (refused) return Answer.error(refused);
    const commentId = typeof body.recipient.comment_id === 'string' ? body.recipient.comment_id : null;
    const tag = body.messaging_type === 'MESSAGE_TAG' ? String(body.tag ?? '') : null;
    let igsid: string | null = typeof body.recipient.id === 'string' ? body.recipient.id : null;
    if (commentId) {
      const comment = this.comments.get(commentId);
      if (!comment || comment.accountId !== account.accountId) return Answer.error(unknownObjectError(commentId, 'POST'));
      if (this.enforce && this.now() - comment.at >= PRIVATE_REPLY_WINDOW_MS) return Answer.error(outsideWindow());
      if (this.enforce && comment.privatelyAnswered) return Answer.error(instagramError(10, 2534025, 400, 'A private reply has already been sent to this comment.'));
      comment.privatelyAnswered = true;
      igsid = comment.igsid;
    } else if (!igsid) {
      return Answer.error(invalid('(#100) The parameter recipient must have an id or a comment_id'));
    } else if (this.enforce) {
      const age = this.now() - (this.lastMessage.get(`${account.accountId}:${igsid}`) ?? -Infinity);
      if (age >= HUMAN_AGENT_WINDOW_MS || (age >= STANDARD_WINDOW_MS && tag !== 'HUMAN_AGENT')) return Answer.error(outsideWindow());
    }
    const messageId = newInstagramMid(igsid ?? '');
    this.sent.push({ messageId, accountId: account.accountId, igsid, commentId, tag, body, headers: record.headers, path: record.path, at: record.at });
    if (igsid) this.queueEcho(account.accountId, igsid, messageId, body.message as Record<string, any>);
    return Answer.json(200, { recipient_id: igsid ?? commentId, message_id: messageId });
  }

  private replyInPublic(req: IncomingMessage, url: URL, commentId: string): Answer {
    const token = this.token(req);
    if (typeof token !== 'string') return Answer.error(token);
    const comment = this.comments.get(commentId);
    if (!comment || this.accounts.get(comment.accountId)?.accessToken !== token) return Answer.error(unknownObjectError(commentId, 'POST'));
    const message = url.searchParams.get('message');
    if (!message) return Answer.error(invalid('(#100) The parameter message is required'));
    const id = newInstagramId();
    this.publicReplies.push({ id, commentId, message, headers: req.headers, at: this.now() });
    return Answer.json(200, { id });
  }

  private lookup(req: IncomingMessage, url: URL, id: string): Answer {
    const token = this.token(req);
    if (typeof token !== 'string') return Answer.error(token);
    const fields = (url.searchParams.get('fields') ?? 'id').split(',');
    const profile = this.profiles.get(id);
    const permalink = this.permalinks.get(id);
    if (!profile && !permalink) return Answer.error(unknownObjectError(id, 'GET'));
    const known: Record<string, unknown> = { id, ...profile, ...(permalink ? { permalink } : {}) };
    return Answer.json(200, Object.fromEntries(Object.entries(known).filter(([field]) => field === 'id' || fields.includes(field))));
  }

  private download(key: string): Answer {
    const media = this.media.get(key);
    return media ? new Answer(200, media.bytes, media.contentType) : new Answer(404, 'URL signature expired', 'text/plain');
  }

  private queueEcho(accountId: string, igsid: string, mid: string, message: Record<string, any>): void {
    const target = this.echoTo;
    if (!target) return;
    const attachment = message.attachment as { type?: string; payload?: { url?: string } } | undefined;
    const payload = instagramEcho({ accountId, igsid, at: this.now(), mid, ...(typeof message.text === 'string' ? { text: message.text } : {}), ...(attachment?.payload?.url ? { attachments: [{ type: attachment.type ?? 'file', url: attachment.payload.url }] } : {}) });
    this.queueToApp(target.url, payload, target.appSecret);
  }
}

/** Checks the Send API body the way Instagram does (channels.md §B.3.1); the Graph error otherwise. */
function checkMessage(body: Record<string, any>): GraphErrorAnswer | null {
  if (body.messaging_type !== undefined && !['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(body.messaging_type)) return invalid('(#100) Param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG');
  if (body.messaging_type === 'MESSAGE_TAG' && typeof body.tag !== 'string') return invalid('(#100) A tag is required with messaging_type MESSAGE_TAG');
  if (!isObject(body.message)) return invalid('(#100) The parameter message is required');
  const { text, attachment } = body.message;
  if ((text === undefined) === (attachment === undefined)) return invalid('(#100) A message has either text or an attachment');
  if (text !== undefined && (typeof text !== 'string' || Buffer.byteLength(text, 'utf8') > TEXT_MAX_BYTES)) return invalid('(#100) Message text must be a string of at most 1000 bytes');
  if (attachment !== undefined && (!isObject(attachment) || !['image', 'video', 'audio', 'file', 'MEDIA_SHARE', 'like_heart'].includes(attachment.type))) return invalid('(#100) Unsupported attachment type');
  if (isObject(attachment) && ['image', 'video', 'audio', 'file'].includes(attachment.type) && !/^https?:\/\//.test(String(attachment.payload?.url ?? ''))) return invalid('(#100) The attachment needs a payload url');
  return null;
}

/** Starts a fake Instagram Graph API on 127.0.0.1 (a free port by default). */
export async function startFakeInstagramGraph(options: FakeInstagramOptions = {}): Promise<FakeInstagramGraph> {
  return new FakeInstagramGraph(options).listen();
}
