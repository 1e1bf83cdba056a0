// A local stand-in for Meta's Graph API (WhatsApp Cloud API), served over real HTTP so our client,
// sender and webhook receiver are tested against the wire formats of channels.md §A rather than
// against mocks. Tests and the demo's sandbox start one, put its `url` in a channel's
// `settings.graphBaseUrl`, and read back what was sent.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Answer, bearerOf, FakeMetaServer, knownBearer, parseJson, type FakeRoute, type RecordedRequestBase } from '../../meta/fake/fake-meta-server.js';
import type { DeliverOptions, WebhookDelivery } from '../../meta/fake/webhook-delivery.js';
import { invalidTokenError, missingTokenError, unknownObjectError, whatsappError, type GraphErrorAnswer, type GraphErrorObject } from './graph-errors.js';
import { MediaStore, readUpload, type FakeMedia } from './media.js';
import { checkSendBody, isBsuid, recipientKeyOf, type MessageType } from './send-body.js';
import { checkTemplateSend, templatePage, type FakeTemplate } from './templates.js';
import { metaJson } from '../../meta/fake/webhook-delivery.js';
import { batchPayloads, newWamid, statusUpdate, type WebhookPayload } from './webhook-payloads.js';

/** Statuses name a BSUID recipient by `recipient_user_id` and leave `recipient_id` out (channels.md §A.2.6). */
const recipientOf = (key: string): { recipientId: string } | { recipientUserId: string } => (isBsuid(key) ? { recipientUserId: key } : { recipientId: key });

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MEDIA_URL_TTL_MS = 5 * 60 * 1000;

export interface FakePhoneNumber {
  phoneNumberId: string;
  /** The only bearer token this number's endpoints accept. */
  accessToken: string;
  displayPhoneNumber?: string;
  /** The WhatsApp Business Account owning the number: its templates are the ones this number can send. */
  wabaId?: string;
}

export interface FakeGraphOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  phoneNumbers?: FakePhoneNumber[];
  /**
   * How a free-form send outside the 24-hour window is refused. Meta does both (channels.md §A.5.1):
   * `sync` answers HTTP 400 with error 131047; `async` accepts with a wamid and then posts a `failed`
   * status with 131047 to the status webhook (see `autoStatuses`). Default `sync`.
   */
  windowClosed?: 'sync' | 'async';
  /** The clock for the 24-hour window and media URL expiry, epoch ms; defaults to the system clock. */
  now?: () => number;
  /**
   * Whether sends are checked against the window and the account's templates (default true). The demo's
   * sandbox turns it off: the app has already applied those rules, and a restarted fake knows no history.
   */
  enforceRules?: boolean;
  /** Random faults on message sends (chaos runs); none unless given. */
  sendFaults?: SendFaults;
}

/**
 * Random faults on `POST /{phone-number-id}/messages` (valid sends only, never mark-as-read): a share
 * answered with a 5xx Graph error, and a share never answered, so the client times out.
 */
export interface SendFaults {
  /** Share of sends answered 500 (131000) or 503 (131016), 0 to 1. */
  errorRate?: number;
  /** Share of sends never answered (held until `close()`), 0 to 1. */
  timeoutRate?: number;
  /**
   * Whether a send that times out was accepted first (a wamid made and recorded in `sent`, only the answer
   * lost: the ambiguous case, where a retry sends the message twice) or never reached Meta. Default true.
   */
  timeoutAfterAccept?: boolean;
  /** Source of randomness, 0 ≤ x < 1; Math.random by default. */
  random?: () => number;
}

/** A fault `sendFaults` injected. */
export interface InjectedSendFault {
  kind: 'error' | 'timeout';
  phoneNumberId: string;
  /** The send's `biz_opaque_callback_data` (the app puts its message id there), if any. */
  callbackData: string | undefined;
  /** The wamid of a send accepted before its answer was withheld; null otherwise. */
  acceptedWamid: string | null;
  at: number;
}

export type FakeEndpoint = 'messages' | 'media-upload' | 'media' | 'media-delete' | 'media-download' | 'templates';

export interface RecordedRequest extends RecordedRequestBase<FakeEndpoint> {
  phoneNumberId: string | null;
}

/** An accepted `POST /{phone-number-id}/messages`, as the fake received it. */
export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  to: string;
  /** The phone's digits, or the BSUID when the send went to one. */
  waId: string;
  /** The BSUID the send went to, when it went to one. */
  userId: string | null;
  type: MessageType;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  rawBody: Buffer;
  at: number;
}

export interface FailureSpec {
  /** HTTP status; defaults to the code's usual one (190 → 401, 130429/131056 → 429, 131000 → 500, others 400). */
  status?: number;
  /** A Graph error code (Meta's envelope is built for it) or a whole error object; default 131000. */
  error?: number | GraphErrorObject;
  /** A raw body instead of a Graph error, e.g. a proxy's HTML page. */
  rawBody?: string;
  /** Only requests for this phone number id (sends and uploads). */
  phoneNumberId?: string;
  /** Only this endpoint; by default any request counts. */
  endpoint?: FakeEndpoint;
}

export interface HangSpec {
  phoneNumberId?: string;
  endpoint?: FakeEndpoint;
}

export interface UploadedMedia extends FakeMedia {
  phoneNumberId: string;
}

interface StatusTarget {
  url: string;
  appSecret: string;
  statuses: ('sent' | 'delivered' | 'read')[];
}

export class FakeGraph extends FakeMetaServer<FakeEndpoint, RecordedRequest, FailureSpec, HangSpec> {
  /** Every accepted message send. */
  readonly sent: SentMessage[] = [];
  /** Every accepted media upload. */
  readonly uploads: UploadedMedia[] = [];
  /** Mark-as-read requests (`status: 'read'`) accepted. */
  readonly markedRead: { phoneNumberId: string; messageId: string }[] = [];
  /** Status payloads the fake generated with no status webhook configured to post them to. */
  readonly pendingStatuses: WebhookPayload[] = [];
  /** Faults injected by `sendFaults`, in order. */
  readonly injectedFaults: InjectedSendFault[] = [];

  windowClosed: 'sync' | 'async';
  private readonly numbers = new Map<string, FakePhoneNumber>();
  private readonly templates = new Map<string, FakeTemplate[]>();
  private readonly lastInbound = new Map<string, number>();
  private readonly media = new MediaStore();
  private readonly urlSecret = randomBytes(16).toString('hex');
  private statusTarget: StatusTarget | null = null;
  private readonly statusTargetsByNumber = new Map<string, StatusTarget>();
  private templateIds = 0;

  constructor(private readonly options: FakeGraphOptions = {}) {
    super(options, options.now);
    this.windowClosed = options.windowClosed ?? 'sync';
    for (const number of options.phoneNumbers ?? []) this.addPhoneNumber(number);
  }

  addPhoneNumber(number: FakePhoneNumber): void {
    this.numbers.set(number.phoneNumberId, { ...number });
  }

  /** Replaces a WhatsApp Business Account's template list (objects shaped like §A.6). */
  setTemplates(wabaId: string, templates: FakeTemplate[]): FakeTemplate[] {
    const stored = templates.map((t) => ({ ...t, id: t.id ?? `4000000${String((this.templateIds += 1)).padStart(8, '0')}` }));
    this.templates.set(wabaId, stored);
    return stored;
  }

  /** Records that the customer (phone or BSUID) wrote to this number at `atMs`, opening (or extending) the 24-hour window. */
  customerWrote(phoneNumberId: string, waId: string, atMs: number): void {
    const key = `${phoneNumberId}:${recipientKeyOf(waId)}`;
    this.lastInbound.set(key, Math.max(this.lastInbound.get(key) ?? 0, atMs));
  }

  /** Keeps media the app can fetch by id; returns the media id. */
  addMedia(bytes: Buffer | Uint8Array | string, mimeType: string, options: { phoneNumberId?: string; filename?: string } = {}): string {
    return this.media.add(bytes, mimeType, options).id;
  }

  /** The stored media (bytes, mime type, sha256) for an id, e.g. to build an inbound media webhook. */
  mediaOf(id: string): FakeMedia | undefined {
    return this.media.get(id);
  }

  /**
   * After each accepted send, posts these statuses for it, in order, signed, to the app's webhook URL,
   * like Meta does; also where `windowClosed: 'async'` posts its `failed` statuses. `null` turns it off.
   */
  autoStatuses(appWebhookUrl: string | null, appSecret = '', statuses: ('sent' | 'delivered' | 'read')[] = ['sent', 'delivered']): void {
    this.statusTarget = appWebhookUrl === null ? null : { url: appWebhookUrl, appSecret, statuses };
  }

  /** Like `autoStatuses`, for one number only (each channel signs with its own app secret). */
  autoStatusesFor(phoneNumberId: string, appWebhookUrl: string, appSecret: string, statuses: ('sent' | 'delivered' | 'read')[] = ['sent', 'delivered']): void {
    this.statusTargetsByNumber.set(phoneNumberId, { url: appWebhookUrl, appSecret, statuses });
  }

  private statusTargetOf(phoneNumberId: string): StatusTarget | null {
    return this.statusTargetsByNumber.get(phoneNumberId) ?? this.statusTarget;
  }

  /**
   * POSTs a webhook to the app, serialised and signed like Meta (§1.2). An array is one batched POST
   * (`batch` says how: `entries`, `changes` or `messages`, see batchPayloads); a string or Buffer is
   * sent byte for byte (a fixture file). Inbound messages in it open the 24-hour window.
   */
  async deliverWebhook(
    appWebhookUrl: string,
    payload: WebhookPayload | WebhookPayload[] | string | Buffer,
    appSecret: string,
    options: DeliverOptions & { batch?: 'entries' | 'changes' | 'messages' } = {},
  ): Promise<WebhookDelivery> {
    const raw = typeof payload === 'string' || Buffer.isBuffer(payload) ? Buffer.from(payload) : Buffer.from(metaJson(Array.isArray(payload) ? batchPayloads(payload, options.batch) : payload));
    this.noteInbound(parseJson(raw));
    return this.postToApp(appWebhookUrl, raw, appSecret, options);
  }

  /** Forgets recorded traffic and pending failures; numbers, templates, media and windows stay. */
  reset(): void {
    this.forgetTraffic();
    for (const list of [this.sent, this.uploads, this.markedRead, this.pendingStatuses, this.injectedFaults]) list.length = 0;
  }

  private noteInbound(parsed: unknown): void {
    const entries = (parsed as WebhookPayload | null)?.entry;
    if (!Array.isArray(entries)) return;
    for (const entry of entries) {
      for (const change of entry?.changes ?? []) {
        const phoneNumberId = change?.value?.metadata?.phone_number_id;
        for (const message of change?.value?.messages ?? []) {
          if (typeof phoneNumberId !== 'string' || !Number.isFinite(Number(message.timestamp))) continue;
          // The window is the customer's, whichever key a send names them by: phone or BSUID.
          for (const key of [message.from, message.from_user_id]) {
            if (typeof key === 'string' && key !== '') this.customerWrote(phoneNumberId, key, Number(message.timestamp) * 1000);
          }
        }
      }
    }
  }

  protected recordOf(base: RecordedRequestBase<FakeEndpoint>, route: FakeRoute<FakeEndpoint> | null): RecordedRequest {
    return { ...base, phoneNumberId: route?.scope ?? null };
  }

  protected appliesTo(spec: FailureSpec | HangSpec, route: FakeRoute<FakeEndpoint>): boolean {
    return spec.phoneNumberId === undefined || spec.phoneNumberId === route.scope;
  }

  protected routeOf(method: string, segments: string[]): FakeRoute<FakeEndpoint> | null {
    if (method === 'GET' && segments[0] === 'whatsapp_business' && segments[1] === 'attachments' && segments.length === 2) {
      return { endpoint: 'media-download', scope: null, run: (req, _record, url) => this.download(req, url) };
    }
    if (!/^v\d+\.\d+$/.test(segments[0] ?? '')) return null;
    const [, id, edge] = segments;
    if (!id || segments.length > 3) return null;
    if (method === 'POST' && edge === 'messages') return { endpoint: 'messages', scope: id, run: (req, record) => this.sendMessage(req, record, id) };
    if (method === 'POST' && edge === 'media') return { endpoint: 'media-upload', scope: id, run: (req, record) => this.upload(req, record, id) };
    if (method === 'GET' && edge === 'message_templates') return { endpoint: 'templates', scope: null, run: (req, _record, url) => this.listTemplates(req, url, id) };
    if (method === 'GET' && edge === undefined) return { endpoint: 'media', scope: null, run: (req, _record, url) => this.describeMedia(req, url, id) };
    if (method === 'DELETE' && edge === undefined) return { endpoint: 'media-delete', scope: null, run: (req) => this.deleteMedia(req, id) };
    return null;
  }

  protected injected(spec: FailureSpec): Answer {
    if (spec.rawBody !== undefined) return new Answer(spec.status ?? 500, spec.rawBody, 'text/html; charset=utf-8');
    if (typeof spec.error === 'object') return Answer.json(spec.status ?? 400, { error: spec.error });
    return Answer.error(whatsappError(spec.error ?? 131000, undefined, spec.status));
  }

  /** The number a token may act for; the Graph error otherwise (190 for an unknown token). */
  private authorizeNumber(req: IncomingMessage, phoneNumberId: string, method: string): FakePhoneNumber | GraphErrorAnswer {
    const token = bearerOf(req.headers);
    if (token === null) return missingTokenError();
    if (![...this.numbers.values()].some((n) => n.accessToken === token)) return invalidTokenError();
    const number = this.numbers.get(phoneNumberId);
    if (!number || number.accessToken !== token) return unknownObjectError(phoneNumberId, method);
    return number;
  }

  private knownToken(req: IncomingMessage): string | GraphErrorAnswer {
    return knownBearer(req, [...this.numbers.values()].map((n) => n.accessToken));
  }

  private templatesFor(number: FakePhoneNumber): FakeTemplate[] {
    if (number.wabaId !== undefined) return this.templates.get(number.wabaId) ?? [];
    return [...this.templates.values()].flat();
  }

  private async sendMessage(req: IncomingMessage, record: RecordedRequestBase<FakeEndpoint>, phoneNumberId: string): Promise<Answer> {
    const number = this.authorizeNumber(req, phoneNumberId, 'POST');
    if (!('phoneNumberId' in number)) return Answer.error(number);
    if (record.body === null) return Answer.error(whatsappError(100, 'The request body must be JSON.'));
    const checked = checkSendBody(record.body);
    if (!checked.ok) return Answer.error(checked.error);
    const body = checked.body;
    if (body.kind === 'mark-read') {
      this.markedRead.push({ phoneNumberId, messageId: body.messageId });
      return Answer.json(200, { success: true });
    }
    const fault = this.rollSendFault();
    const parsedBody = record.body as Record<string, unknown>;
    const callbackData = typeof parsedBody.biz_opaque_callback_data === 'string' ? parsedBody.biz_opaque_callback_data : undefined;
    if (fault === 'error') {
      this.injectedFaults.push({ kind: 'error', phoneNumberId, callbackData, acceptedWamid: null, at: this.now() });
      return Answer.error(this.injectedFaults.length % 2 === 0 ? whatsappError(131016) : whatsappError(131000));
    }
    if (fault === 'timeout' && this.options.sendFaults?.timeoutAfterAccept === false) {
      this.injectedFaults.push({ kind: 'timeout', phoneNumberId, callbackData, acceptedWamid: null, at: this.now() });
      return new Promise<Answer>(() => {}); // never answered; close() drops the connection
    }
    const enforce = this.options.enforceRules ?? true;
    if (body.template && enforce) {
      const refused = checkTemplateSend(this.templatesFor(number), body.template);
      if (refused) return Answer.error(refused);
    }
    const windowOpen = !enforce || body.type === 'template' || this.now() - (this.lastInbound.get(`${phoneNumberId}:${body.waId}`) ?? -Infinity) <= WINDOW_MS;
    if (!windowOpen && this.windowClosed === 'sync') return Answer.error(whatsappError(131047));
    const wamid = newWamid(body.waId);
    const parsed = record.body as Record<string, unknown>;
    this.sent.push({ wamid, phoneNumberId, to: body.to, waId: body.waId, userId: body.userId, type: body.type, method: record.method, path: record.path, headers: record.headers, body: parsed, rawBody: record.rawBody, at: record.at });
    const callback = typeof parsed.biz_opaque_callback_data === 'string' ? parsed.biz_opaque_callback_data : undefined;
    if (!windowOpen) this.queueWindowFailure(number, wamid, body.waId, callback);
    else this.queueStatuses(number, wamid, body.waId, body.type === 'template', callback);
    if (fault === 'timeout') {
      this.injectedFaults.push({ kind: 'timeout', phoneNumberId, callbackData, acceptedWamid: wamid, at: this.now() });
      return new Promise<Answer>(() => {}); // accepted, but the answer never comes; close() drops the connection
    }
    return Answer.json(200, {
      messaging_product: 'whatsapp',
      contacts: [body.userId ? { input: body.to, user_id: body.userId } : { input: body.to, wa_id: body.waId }],
      messages: [body.type === 'template' ? { id: wamid, message_status: 'accepted' } : { id: wamid }],
    });
  }

  private rollSendFault(): 'error' | 'timeout' | null {
    const faults = this.options.sendFaults;
    if (!faults) return null;
    const roll = (faults.random ?? Math.random)();
    if (roll < (faults.errorRate ?? 0)) return 'error';
    if (roll < (faults.errorRate ?? 0) + (faults.timeoutRate ?? 0)) return 'timeout';
    return null;
  }

  private queueStatuses(number: FakePhoneNumber, wamid: string, waId: string, template: boolean, callback: string | undefined): void {
    const target = this.statusTargetOf(number.phoneNumberId);
    if (!target) return;
    const pricing = { billable: template, pricing_model: 'PMP', category: template ? 'utility' : 'service', type: template ? 'regular' : 'free_customer_service' };
    for (const status of target.statuses) {
      this.queueStatus(
        statusUpdate({ ...number, wamid, status, ...recipientOf(waId), timestampSec: Math.floor(this.now() / 1000), bizOpaqueCallbackData: callback, ...(status === 'read' ? {} : { pricing }) }),
        target,
      );
    }
  }

  private queueWindowFailure(number: FakePhoneNumber, wamid: string, waId: string, callback: string | undefined): void {
    const payload = statusUpdate({
      ...number,
      wamid,
      status: 'failed',
      ...recipientOf(waId),
      timestampSec: Math.floor(this.now() / 1000),
      bizOpaqueCallbackData: callback,
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    });
    const target = this.statusTargetOf(number.phoneNumberId);
    if (target) this.queueStatus(payload, target);
    else this.pendingStatuses.push(payload);
  }

  private queueStatus(payload: WebhookPayload, target: StatusTarget): void {
    this.queueToApp(target.url, payload, target.appSecret);
  }

  private async upload(req: IncomingMessage, record: RecordedRequestBase<FakeEndpoint>, phoneNumberId: string): Promise<Answer> {
    const number = this.authorizeNumber(req, phoneNumberId, 'POST');
    if (!('phoneNumberId' in number)) return Answer.error(number);
    const upload = await readUpload(record.rawBody, req.headers['content-type']);
    if (!upload.ok) return Answer.error(upload.error);
    const media = this.media.add(upload.bytes, upload.mimeType, { phoneNumberId, ...(upload.filename ? { filename: upload.filename } : {}) });
    this.uploads.push({ ...media, phoneNumberId });
    return Answer.json(200, { id: media.id });
  }

  /** The media a token may read: media a test added is readable with any known token. */
  private authorizedMedia(req: IncomingMessage, id: string, method: string, phoneNumberId?: string | null): FakeMedia | GraphErrorAnswer {
    const token = this.knownToken(req);
    if (typeof token !== 'string') return token;
    const media = this.media.get(id);
    const owner = media?.phoneNumberId ? this.numbers.get(media.phoneNumberId) : undefined;
    if (!media || (owner && owner.accessToken !== token)) return unknownObjectError(id, method);
    if (phoneNumberId && media.phoneNumberId && media.phoneNumberId !== phoneNumberId) return unknownObjectError(id, method);
    return media;
  }

  private describeMedia(req: IncomingMessage, url: URL, id: string): Answer {
    const media = this.authorizedMedia(req, id, 'GET', url.searchParams.get('phone_number_id'));
    if (!('id' in media)) return Answer.error(media);
    const expires = Math.floor((this.now() + MEDIA_URL_TTL_MS) / 1000);
    const download = new URL('/whatsapp_business/attachments/', this.url);
    download.searchParams.set('mid', media.id);
    download.searchParams.set('ext', String(expires));
    download.searchParams.set('hash', this.urlHash(media.id, expires));
    return Answer.json(200, { url: download.toString(), mime_type: media.mimeType, sha256: media.sha256, file_size: String(media.bytes.length), id: media.id, messaging_product: 'whatsapp' });
  }

  private urlHash(id: string, expires: number): string {
    return createHmac('sha256', this.urlSecret).update(`${id}:${expires}`).digest('base64url');
  }

  private download(req: IncomingMessage, url: URL): Answer {
    const id = url.searchParams.get('mid') ?? '';
    const expires = Number(url.searchParams.get('ext'));
    // Like Meta's media host, a plain GET without the token is refused.
    const media = this.authorizedMedia(req, id, 'GET');
    if (!('id' in media)) return media.status === 400 && media.body.error.code === 100 ? new Answer(404, 'Not found', 'text/plain') : new Answer(401, metaJson(invalidTokenError().body));
    if (url.searchParams.get('hash') !== this.urlHash(id, expires) || this.now() > expires * 1000) return new Answer(404, 'URL signature expired', 'text/plain');
    return new Answer(200, media.bytes, media.mimeType);
  }

  private deleteMedia(req: IncomingMessage, id: string): Answer {
    const media = this.authorizedMedia(req, id, 'DELETE');
    if (!('id' in media)) return Answer.error(media);
    this.media.delete(id);
    return Answer.json(200, { success: true });
  }

  private listTemplates(req: IncomingMessage, url: URL, wabaId: string): Answer {
    const token = this.knownToken(req);
    if (typeof token !== 'string') return Answer.error(token);
    const owners = [...this.numbers.values()].filter((n) => n.wabaId === wabaId);
    const templates = this.templates.get(wabaId);
    if ((!templates && owners.length === 0) || (owners.length > 0 && !owners.some((n) => n.accessToken === token))) return Answer.error(unknownObjectError(wabaId, 'GET'));
    const page = templatePage(templates ?? [], url.searchParams, (query) => `${this.url}${url.pathname}?${query.toString()}`);
    return page.ok ? Answer.json(200, page.page) : Answer.error(page.error);
  }
}

/** Starts a fake Graph API on 127.0.0.1 (a free port by default). */
export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  return new FakeGraph(options).listen();
}
