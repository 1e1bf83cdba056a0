// Outgoing webhooks end to end on both engines: a webhook created over the API, real changes, the fan-out
// and delivery jobs run by hand on a test clock, and a real HTTP receiver that checks what arrived.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/domain/clock.js';
import { MAX_WEBHOOK_ATTEMPTS } from '../../src/domain/webhooks.js';
import { publishRealtime } from '../../src/events/event.repo.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { deliverWebhooks } from '../../src/modules/webhooks/deliver-webhooks.js';
import { fanOutWebhookEvents, WEBHOOK_TOPIC } from '../../src/modules/webhooks/fan-out-webhook-events.js';
import { useApi } from '../support/api.js';
import { stored } from '../support/assertions.js';
import { buildWorld, inbound, type World } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';
import { startReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver.js';

/** What a receiver does: HMAC-SHA256 over "<timestamp>.<raw body>", compared in constant time. */
function signatureVerifies(request: ReceivedRequest, secret: string): boolean {
  const timestamp = String(request.headers['x-threadbox-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(request.raw).digest('hex')}`);
  const given = Buffer.from(String(request.headers['x-threadbox-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe.each(ENGINES)('outgoing webhooks (%s)', (engine) => {
  const api = useApi(engine);
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const deps = () => api.world.deps;
  const clock = () => api.world.clock;
  // Receivers here answer at once; a short timeout keeps the "never answers" case quick.
  const deliver = () => deliverWebhooks(deps(), { timeoutMs: 300 });

  async function adminCookie(world: World = api.world): Promise<string> {
    return api.signIn((await api.addUser('admin', world)).email);
  }

  async function createWebhook(cookie: string, eventTypes: string[]): Promise<{ id: string; secret: string }> {
    const response = await api.call('POST', '/api/webhooks', { cookie, body: { url: receiver.url, eventTypes } });
    expect(response.status).toBe(201);
    return { id: response.body.webhook.id, secret: response.body.secret };
  }

  async function customerWrites(world: World = api.world) {
    return stored(await ingestInbound(world.deps, inbound(world.channels.whatsapp, world.clock)));
  }

  /** Whether the fan-out's cursor has passed every realtime event there is. */
  async function caughtUp(): Promise<boolean> {
    const db = api.db.store.db;
    const cursor = await db.selectFrom('webhook_dispatch_cursor').selectAll().executeTakeFirstOrThrow();
    const after =
      engine === 'postgres'
        ? sql<boolean>`(xid, seq) > (${cursor.last_xid}::bigint, ${cursor.last_seq}::bigint)`
        : sql<boolean>`seq > ${cursor.last_seq}`;
    const behind = await db.selectFrom('realtime_events').select((eb) => eb.fn.countAll<number>().as('n')).where(after).executeTakeFirstOrThrow();
    return Number(behind.n) === 0;
  }

  /**
   * Runs the fan-out until every event is queued. On PostgreSQL an event is read once every transaction
   * older than its own has ended, on the whole server (other test files' included), so one run may leave
   * it for the next.
   */
  async function fanOut(): Promise<number> {
    let queued = 0;
    for (let round = 0; round < 1_000; round++) {
      queued += await fanOutWebhookEvents(deps());
      if (await caughtUp()) return queued;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the webhook fan-out never caught up with the realtime events');
  }

  async function webhookView(cookie: string, id: string) {
    const response = await api.call('GET', `/api/webhooks/${id}`, { cookie });
    expect(response.status).toBe(200);
    return response.body.webhook;
  }

  const deliveriesQueued = () => api.db.store.db.selectFrom('outbox').selectAll().where('topic', '=', WEBHOOK_TOPIC).orderBy('created_at').orderBy('id').execute();

  it('posts each subscribed event as signed JSON that verifies over the raw bytes', async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['ticket.created', 'message.created']);
    const message = await customerWrites();

    expect(await fanOut()).toBe(2);
    expect(await deliver()).toBe(2);

    expect(receiver.received).toHaveLength(2);
    const byType = Object.fromEntries(receiver.received.map((r) => [r.json.type, r]));
    expect(Object.keys(byType).sort()).toEqual(['message.created', 'ticket.created']);
    for (const request of receiver.received) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toBe('Threadbox-Webhooks');
      expect(request.headers['x-threadbox-event']).toBe(request.json.type);
      expect(request.headers['x-threadbox-delivery']).toBe(request.json.id);
      expect(request.headers['x-threadbox-timestamp']).toBe(String(Math.floor(clock().now() / 1000)));
      expect(signatureVerifies(request, webhook.secret)).toBe(true);
      expect(signatureVerifies(request, `${webhook.secret}x`)).toBe(false);
    }
    expect(byType['message.created']!.json).toEqual({
      id: expect.any(String),
      type: 'message.created',
      workspaceId: api.world.workspaceId,
      occurredAt: clock().now(),
      data: { ticketId: message.ticketId, messageId: message.messageId },
    });
    expect(byType['ticket.created']!.json.data).toEqual({ ticketId: message.ticketId });

    expect(await deliver()).toBe(0);
    expect(receiver.received).toHaveLength(2);
    expect(await webhookView(cookie, webhook.id)).toMatchObject({ lastDeliveryAt: clock().now(), lastFailureAt: null, lastFailureReason: null });
  });

  it('sends neither unsubscribed types, nor events from before the webhook existed, nor another workspace\'s events', async () => {
    const cookie = await adminCookie();
    await customerWrites();
    const webhook = await createWebhook(cookie, ['message.created']);
    const other = await buildWorld(api.db.store);
    await createWebhook(await adminCookie(other), ['ticket.created']);
    await customerWrites(other);
    const message = await customerWrites();

    await fanOut();
    await deliver();

    const ours = receiver.received.filter((r) => r.json.workspaceId === api.world.workspaceId);
    expect(ours.map((r) => [r.json.type, r.json.data])).toEqual([['message.created', { ticketId: message.ticketId, messageId: message.messageId }]]);
    expect(ours.every((r) => signatureVerifies(r, webhook.secret))).toBe(true);
    // The other workspace's own webhook got only its own ticket.
    const theirs = receiver.received.filter((r) => r.json.workspaceId !== api.world.workspaceId);
    expect(theirs.map((r) => [r.json.workspaceId, r.json.type])).toEqual([[other.workspaceId, 'ticket.created']]);
  });

  it('a delivery answered 500 is tried again after the backoff and delivered once', async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['message.created']);
    await customerWrites();
    await fanOut();
    receiver.answerNext(1, { status: 500 });

    expect(await deliver()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(await deliver()).toBe(0);
    expect(receiver.received).toHaveLength(1);

    // The first wait is at most a minute.
    clock().advance(MINUTE);
    expect(await deliver()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.raw.equals(receiver.received[0]!.raw)).toBe(true);
    expect(receiver.received[1]!.headers['x-threadbox-delivery']).toBe(receiver.received[0]!.headers['x-threadbox-delivery']);
    expect(signatureVerifies(receiver.received[1]!, webhook.secret)).toBe(true);

    clock().advance(DAY);
    expect(await deliver()).toBe(0);
    expect(receiver.received).toHaveLength(2);
    const [queued] = await deliveriesQueued();
    expect(queued).toMatchObject({ attempts: 2, last_error: null });
    expect(queued!.done_at).not.toBeNull();
    expect(await webhookView(cookie, webhook.id)).toMatchObject({ lastDeliveryAt: clock().now() - DAY, lastFailureAt: null });
  });

  it('a receiver that never answers is given up on after the timeout and tried again later', async () => {
    const cookie = await adminCookie();
    await createWebhook(cookie, ['message.created']);
    await customerWrites();
    await fanOut();
    receiver.answerNext(1, 'hang');

    expect(await deliver()).toBe(1);
    const [waiting] = await deliveriesQueued();
    expect(waiting).toMatchObject({ done_at: null, last_error: 'no answer within 0.3 s' });

    clock().advance(MINUTE);
    expect(await deliver()).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect((await deliveriesQueued())[0]!.done_at).not.toBeNull();
  });

  it('a 400 is not retried, and the webhook shows when and why the delivery was given up', async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['message.created']);
    await customerWrites();
    await fanOut();
    receiver.answerNext(1, { status: 400 });

    expect(await deliver()).toBe(1);
    clock().advance(DAY);
    expect(await deliver()).toBe(0);

    expect(receiver.received).toHaveLength(1);
    const view = await webhookView(cookie, webhook.id);
    expect(view.lastFailureAt).toBe(clock().now() - DAY);
    expect(view.lastFailureReason).toMatch(/HTTP 400.*not retried/);
    expect(view.lastDeliveryAt).toBeNull();
  });

  it(`gives up after ${MAX_WEBHOOK_ATTEMPTS} failed attempts spread over hours, and says so on the webhook`, async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['message.created']);
    await customerWrites();
    await fanOut();
    receiver.answerNext(MAX_WEBHOOK_ATTEMPTS, { status: 503 });

    const started = clock().now();
    for (let attempt = 1; attempt <= MAX_WEBHOOK_ATTEMPTS; attempt++) {
      expect(await deliver()).toBe(1);
      clock().advance(6 * HOUR);
    }
    expect(await deliver()).toBe(0);

    expect(receiver.received).toHaveLength(MAX_WEBHOOK_ATTEMPTS);
    const sentAt = receiver.received.map((r) => Number(r.headers['x-threadbox-timestamp']) * 1000);
    expect(sentAt.at(-1)! - started).toBeGreaterThan(6 * HOUR);
    const view = await webhookView(cookie, webhook.id);
    expect(view.lastFailureReason).toMatch(new RegExp(`HTTP 503 on all ${MAX_WEBHOOK_ATTEMPTS} attempts`));
    expect((await deliveriesQueued())[0]).toMatchObject({ attempts: MAX_WEBHOOK_ATTEMPTS, last_error: 'HTTP 503' });
  });

  it('a disabled webhook receives nothing, and what was queued for it before is dropped', async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['message.created']);
    await customerWrites();
    expect(await fanOut()).toBe(1);

    expect((await api.call('PATCH', `/api/webhooks/${webhook.id}`, { cookie, body: { enabled: false } })).status).toBe(200);
    expect(await deliver()).toBe(1);
    await customerWrites();
    expect(await fanOut()).toBe(0);
    expect(await deliver()).toBe(0);

    expect(receiver.received).toEqual([]);
    const queued = await deliveriesQueued();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.last_error).toBe('dropped: the webhook is disabled');
    expect(queued[0]!.done_at).not.toBeNull();
  });

  it('deliveries queued for a deleted webhook are dropped', async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['message.created']);
    await customerWrites();
    await fanOut();

    expect((await api.call('DELETE', `/api/webhooks/${webhook.id}`, { cookie })).status).toBe(204);
    expect(await deliver()).toBe(1);

    expect(receiver.received).toEqual([]);
    expect((await deliveriesQueued())[0]!.last_error).toBe('dropped: the webhook was deleted');
  });

  it('two fan-outs running at the same time queue each delivery once', async () => {
    const cookie = await adminCookie();
    await createWebhook(cookie, ['ticket.created', 'message.created']);
    const messages = [await customerWrites(), await customerWrites(), await customerWrites()];

    await Promise.all([fanOutWebhookEvents(deps()), fanOutWebhookEvents(deps())]);
    await fanOut();

    const queued = await deliveriesQueued();
    const events = queued.map((row) => JSON.parse(row.payload!).delivery).map((d: { type: string; data: unknown }) => `${d.type} ${JSON.stringify(d.data)}`);
    expect(events).toHaveLength(6);
    expect(new Set(events).size).toBe(6);
    for (const m of messages) expect(events).toContain(`message.created ${JSON.stringify({ ticketId: m.ticketId, messageId: m.messageId })}`);
  });

  it('after the secret is rotated, deliveries are signed with the new secret only', async () => {
    const cookie = await adminCookie();
    const webhook = await createWebhook(cookie, ['message.created']);
    const rotated = await api.call('POST', `/api/webhooks/${webhook.id}/rotate-secret`, { cookie });
    expect(rotated.status).toBe(200);
    await customerWrites();
    await fanOut();
    await deliver();

    expect(receiver.received).toHaveLength(1);
    expect(signatureVerifies(receiver.received[0]!, rotated.body.secret)).toBe(true);
    expect(signatureVerifies(receiver.received[0]!, webhook.secret)).toBe(false);
  });
});

// Only PostgreSQL lets a transaction that took an earlier seq commit after one that took a later seq;
// SQLite runs one writer at a time, so there seq order is commit order and this case cannot arise.
describe('outgoing webhooks on PostgreSQL', () => {
  const api = useApi('postgres');

  it('an event whose transaction commits after a later event\'s is still delivered', async () => {
    const receiver = await startReceiver();
    try {
      const cookie = await api.signIn((await api.addUser('admin')).email);
      expect((await api.call('POST', '/api/webhooks', { cookie, body: { url: receiver.url, eventTypes: ['message.created'] } })).status).toBe(201);
      const { deps, workspaceId, clock } = api.world;

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let published!: () => void;
      const earlyWritten = new Promise<void>((resolve) => (published = resolve));
      const early = deps.store.unit(async (trx) => {
        await publishRealtime(trx, workspaceId, [{ type: 'message.created', payload: { ticketId: 'ticket-early', messageId: 'message-early' } }], clock.now());
        published();
        await held;
      });
      await earlyWritten;
      const late = stored(await ingestInbound(deps, inbound(api.world.channels.email, clock)));

      // The late event committed, but reading it now would step over the early one for good.
      expect(await fanOutWebhookEvents(deps)).toBe(0);
      release();
      await early;
      for (let round = 0; receiver.received.length < 2; round++) {
        if (round === 1_000) throw new Error('the early event never arrived');
        await fanOutWebhookEvents(deps);
        await deliverWebhooks(deps);
        if (receiver.received.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
      }

      expect(receiver.received.map((r) => r.json.data.messageId).sort()).toEqual(['message-early', late.messageId].sort());
      const seqs = await api.db.store.db.selectFrom('realtime_events').select('seq').where('type', '=', 'message.created').orderBy('seq').execute();
      expect(seqs).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
