// The HTTP side every local fake of a Meta Graph API shares (WhatsApp's, Instagram's): a real node:http
// server on a free port, every request recorded, answers in Meta's JSON, and failures or hangs injected
// on demand so clients are tested against timeouts and error envelopes as well as successes.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fbtraceId, invalidTokenError, missingTokenError, unknownPathError, type GraphErrorAnswer } from './graph-errors.js';
import { metaJson, postWebhook, type DeliverOptions, type WebhookDelivery } from './webhook-delivery.js';
import { systemClock } from '../../../domain/clock.js';

export class Answer {
  constructor(
    readonly status: number,
    readonly body: string | Buffer,
    readonly contentType = 'application/json; charset=UTF-8',
  ) {}

  static json(status: number, value: unknown): Answer {
    return new Answer(status, metaJson(value));
  }

  static error(error: GraphErrorAnswer): Answer {
    return Answer.json(error.status, error.body);
  }
}

/** One request as the fake received it, answered or not. */
export interface RecordedRequestBase<E extends string> {
  method: string;
  /** Path and query as received, e.g. `/v23.0/200000000000002/messages`. */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The parsed JSON body, or null (not JSON, or empty). */
  body: unknown;
  endpoint: E | null;
  /** The status answered; null while unanswered (or for a request held by `hangNext`). */
  status: number | null;
  at: number;
}

/** What a path leads to: the endpoint's name, the account it acts for, and its handler. */
export interface FakeRoute<E extends string> {
  endpoint: E;
  /** The business number or Instagram account in the path, when there is one. */
  scope: string | null;
  run(req: IncomingMessage, record: RecordedRequestBase<E>, url: URL): Promise<Answer> | Answer;
}

interface Rule<F> {
  remaining: number;
  kind: 'fail' | 'hang';
  spec: F;
}

export interface FakeListenOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

/** The bearer token of a request, or null. */
export function bearerOf(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match ? match[1]!.trim() : null;
}

/** A JSON body, or null when it is empty or not JSON. */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}

/** The token when it is one of the known ones; Meta's error for a missing or unknown token otherwise. */
export function knownBearer(req: IncomingMessage, tokens: Iterable<string>): string | GraphErrorAnswer {
  const token = bearerOf(req.headers);
  if (token === null) return missingTokenError();
  return [...tokens].includes(token) ? token : invalidTokenError();
}

/**
 * A fake Graph server: subclasses name their routes, how a recorded request reads, and which injected
 * failures apply to a route. `F` is a failure spec, `H` a hang spec; both may name an endpoint.
 */
export abstract class FakeMetaServer<E extends string, R extends RecordedRequestBase<E>, F extends { endpoint?: E }, H extends { endpoint?: E }> {
  /** Base URL to put in a channel's `settings.graphBaseUrl`, e.g. `http://127.0.0.1:41234`. */
  url = '';
  /** Every request received, answered or not, in arrival order. */
  readonly requests: R[] = [];
  /** Every webhook the fake posted to the app (deliveries, and what it sends on its own). */
  readonly webhooks: WebhookDelivery[] = [];
  protected readonly now: () => number;
  private readonly server: Server;
  private rules: Rule<F | H>[] = [];
  private outgoing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly listenOptions: FakeListenOptions,
    now: (() => number) | undefined,
  ) {
    this.now = now ?? (() => systemClock.now());
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.answer(res, null, Answer.json(500, { error: { message: String(error), type: 'OAuthException', code: 1, fbtrace_id: fbtraceId() } }));
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listenOptions.port ?? 0, this.listenOptions.host ?? '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}`;
    return this;
  }

  /** Stops listening and drops every open connection, including requests held by `hangNext`. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    await this.whenIdle();
  }

  /** Resolves once the webhooks the fake queued on its own have been posted. */
  async whenIdle(): Promise<void> {
    let seen: Promise<unknown> | null = null;
    while (seen !== this.outgoing) {
      seen = this.outgoing;
      await seen;
    }
  }

  /** POSTs these bytes to the app now, signed like Meta, and records the delivery. */
  protected async postToApp(url: string, raw: Buffer, appSecret: string, options: DeliverOptions = {}): Promise<WebhookDelivery> {
    const delivery = await postWebhook(url, raw, appSecret, options);
    this.webhooks.push(delivery);
    return delivery;
  }

  // What the fake sends on its own (statuses, echoes) goes out one after another, after the answer that
  // caused it, so the app sees them in Meta's order.
  protected queueToApp(url: string, payload: unknown, appSecret: string): void {
    this.outgoing = this.outgoing.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await this.postToApp(url, Buffer.from(metaJson(payload)), appSecret);
    });
  }

  /** The next `n` matching requests answer with this error. */
  failNext(n: number, spec: F = {} as F): void {
    this.rules.push({ remaining: n, kind: 'fail', spec });
  }

  /** The next `n` matching requests are read and never answered (until `close()`), so clients time out. */
  hangNext(n: number, spec: H = {} as H): void {
    this.rules.push({ remaining: n, kind: 'hang', spec });
  }

  /** Forgets recorded requests and pending failures. */
  protected forgetTraffic(): void {
    this.requests.length = 0;
    this.webhooks.length = 0;
    this.rules = [];
  }

  protected abstract routeOf(method: string, segments: string[]): FakeRoute<E> | null;
  /** The recorded request with the subclass's own fields (which account it was for). */
  protected abstract recordOf(base: RecordedRequestBase<E>, route: FakeRoute<E> | null): R;
  /** Whether a failure or hang spec applies to the route, beyond its endpoint. */
  protected abstract appliesTo(spec: F | H, route: FakeRoute<E>): boolean;
  /** The answer an injected failure gives. */
  protected abstract injected(spec: F): Answer;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const route = this.routeOf(req.method ?? 'GET', url.pathname.split('/').filter(Boolean));
    const record = this.recordOf(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        rawBody,
        body: parseJson(rawBody),
        endpoint: route?.endpoint ?? null,
        status: null,
        at: this.now(),
      },
      route,
    );
    this.requests.push(record);
    if (!route) return this.answer(res, record, Answer.error(unknownPathError(url.pathname)));
    const rule = this.takeRule(route);
    if (rule?.kind === 'hang') return; // held open until close() drops the connection
    if (rule) return this.answer(res, record, this.injected(rule.spec as F));
    this.answer(res, record, await route.run(req, record, url));
  }

  private takeRule(route: FakeRoute<E>): Rule<F | H> | null {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.spec.endpoint === undefined || r.spec.endpoint === route.endpoint) && this.appliesTo(r.spec, route));
    if (!rule) return null;
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return rule;
  }

  private answer(res: ServerResponse, record: RecordedRequestBase<E> | null, answer: Answer): void {
    if (record) record.status = answer.status;
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'x-fb-trace-id': fbtraceId() });
    res.end(answer.body);
  }
}
