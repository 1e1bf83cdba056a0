// The fake Graph API, driven through our own Graph client over real HTTP: what it accepts, what it
// refuses and how (Meta's error envelopes), what it records, and the webhooks it posts back.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphError, graphBytes, graphJson, type GraphAccount } from '../graph-client.js';
import { inboundMedia, inboundText, startFakeGraph, statusUpdate, type FakeGraph, type FakeTemplate } from './index.js';

const FIXTURES = new URL('../../../../../shared/fixtures/channels/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const NUMBER = { phoneNumberId: '200000000000002', accessToken: 'EAAG-fake-token-for-number-2', displayPhoneNumber: '15550001111', wabaId: '100000000000001' };
const OTHER = { phoneNumberId: '200000000000009', accessToken: 'EAAG-fake-token-for-number-9', displayPhoneNumber: '15550009999', wabaId: '100000000000009' };
const CUSTOMER = '15559990001';
const HOUR = 60 * 60 * 1000;

let fake: FakeGraph;
let account: GraphAccount;

function textTo(to: string, body = 'Hi Jane, your parcel ships today.') {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body } };
}

async function refusal(promise: Promise<unknown>): Promise<GraphError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphError);
  return error as GraphError;
}

const sendPath = `/${NUMBER.phoneNumberId}/messages`;

beforeEach(async () => {
  fake = await startFakeGraph({ phoneNumbers: [NUMBER, OTHER] });
  account = { baseUrl: fake.url, apiVersion: 'v23.0', accessToken: NUMBER.accessToken };
});

afterEach(async () => {
  await fake.close();
});

describe('sending messages to the fake Graph API', () => {
  it('accepts a text inside the window, answers like Meta with a wamid, and records the exact request', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now() - 2 * HOUR);
    const answer = await graphJson<{ messaging_product: string; contacts: { input: string; wa_id: string }[]; messages: { id: string; message_status?: string }[] }>(account, {
      path: sendPath,
      json: textTo('+15559990001'),
    });
    expect(answer).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: '+15559990001', wa_id: CUSTOMER }], messages: [{ id: expect.stringMatching(/^wamid\./) }] });
    expect(fake.sent).toHaveLength(1);
    const sent = fake.sent[0]!;
    expect(sent).toMatchObject({ wamid: answer.messages[0]!.id, phoneNumberId: NUMBER.phoneNumberId, waId: CUSTOMER, type: 'text', method: 'POST', path: '/v23.0/200000000000002/messages' });
    expect(sent.headers.authorization).toBe(`Bearer ${NUMBER.accessToken}`);
    expect(sent.body).toEqual(textTo('+15559990001'));
    expect(JSON.parse(sent.rawBody.toString('utf8'))).toEqual(sent.body);
  });

  it('accepts media by id and by link, a reply with context, and a reaction', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now() - HOUR);
    const mediaId = fake.addMedia(Buffer.from('%PDF-1.4 fake'), 'application/pdf');
    const bodies = [
      { messaging_product: 'whatsapp', to: CUSTOMER, type: 'document', document: { id: mediaId, caption: 'Your invoice', filename: 'invoice.pdf' } },
      { messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { link: 'https://cdn.example.com/box.jpg' } },
      { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'About this one' }, context: { message_id: 'wamid.FAKE_INBOUND_TEXT_0001' } },
      { messaging_product: 'whatsapp', to: CUSTOMER, type: 'reaction', reaction: { message_id: 'wamid.FAKE_INBOUND_TEXT_0001', emoji: '👍' } },
    ];
    for (const json of bodies) await graphJson(account, { path: sendPath, json });
    expect(fake.sent.map((s) => s.type)).toEqual(['document', 'image', 'text', 'reaction']);
    expect(fake.sent.map((s) => s.body)).toEqual(bodies);
  });

  it('refuses malformed bodies with the Graph error a real client would get, and records no send', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now());
    const cases: [unknown, number][] = [
      [{ to: CUSTOMER, type: 'text', text: { body: 'hi' } }, 131008],
      [{ messaging_product: 'whatsapp', type: 'text', text: { body: 'hi' } }, 131008],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: '' } }, 100],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'text' }, 131008],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'carrier_pigeon', carrier_pigeon: {} }, 100],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'image', image: { id: '1', link: 'https://x.example.com/a.jpg' } }, 100],
      [{ messaging_product: 'whatsapp', to: CUSTOMER, type: 'audio', audio: { id: '1', caption: 'no' } }, 100],
      [{ messaging_product: 'whatsapp', to: 'not-a-number', type: 'text', text: { body: 'hi' } }, 100],
    ];
    for (const [json, code] of cases) {
      const error = await refusal(graphJson(account, { path: sendPath, json }));
      expect({ json, status: error.status, code: error.code }).toEqual({ json, status: 400, code });
      expect(error.details).toEqual(expect.any(String));
    }
    expect(fake.sent).toEqual([]);
  });

  it('answers error 190 with HTTP 401 for a wrong token, and 100 for a number the token does not own', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now());
    const wrong = await refusal(graphJson({ ...account, accessToken: 'EAAG-not-a-token-we-know' }, { path: sendPath, json: textTo(CUSTOMER) }));
    expect({ status: wrong.status, code: wrong.code }).toEqual({ status: 401, code: 190 });
    const raw = fake.requests.at(-1)!;
    expect(raw.status).toBe(401);

    const response = await fetch(`${fake.url}/v23.0/${NUMBER.phoneNumberId}/messages`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: JSON.stringify(textTo(CUSTOMER)) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });

    const foreign = await refusal(graphJson({ ...account, accessToken: OTHER.accessToken }, { path: sendPath, json: textTo(CUSTOMER) }));
    expect({ status: foreign.status, code: foreign.code }).toEqual({ status: 400, code: 100 });
    expect(fake.sent).toEqual([]);
  });
});

describe('the 24-hour customer service window', () => {
  it('refuses free-form to a customer who wrote 25 hours ago with the exact 131047 envelope', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now() - 25 * HOUR);
    const response = await fetch(`${fake.url}/v23.0${sendPath}`, { method: 'POST', headers: { authorization: `Bearer ${NUMBER.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(textTo(CUSTOMER)) });
    expect(response.status).toBe(400);
    const expected = fixture('whatsapp-error-131047-response.json');
    expect(await response.json()).toEqual({ error: { ...expected.error, fbtrace_id: expect.any(String) } });
    expect(fake.sent).toEqual([]);
  });

  it('refuses free-form to a customer who never wrote, and to one who wrote to another number', async () => {
    fake.customerWrote(OTHER.phoneNumberId, CUSTOMER, Date.now());
    const error = await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 131047 });
  });

  it('opens the window from an inbound message the fake delivered, using the provider timestamp', async () => {
    const app = await startReceiver();
    try {
      await fake.deliverWebhook(app.url, inboundText({ ...NUMBER, waId: CUSTOMER, name: 'Jane', text: 'hello', timestampSec: Math.floor((Date.now() - 2 * HOUR) / 1000) }), 'secret-secret-secret');
      await graphJson(account, { path: sendPath, json: textTo(CUSTOMER) });
      expect(fake.sent).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('in async mode accepts the free-form send, then posts a signed failed status with 131047', async () => {
    const app = await startReceiver();
    try {
      fake.windowClosed = 'async';
      fake.autoStatuses(app.url, 'app-secret-for-tests', []);
      const answer = await graphJson<{ messages: { id: string }[] }>(account, { path: sendPath, json: { ...textTo(CUSTOMER), biz_opaque_callback_data: 'outbox=OB-1' } });
      await fake.whenIdle();
      expect(app.received).toHaveLength(1);
      const posted = app.received[0]!;
      expect(posted.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'app-secret-for-tests').update(posted.raw).digest('hex')}`);
      const status = JSON.parse(posted.raw.toString('utf8')).entry[0].changes[0].value.statuses[0];
      const expected = fixture('whatsapp-status-failed-131047.json').entry[0].changes[0].value.statuses[0];
      expect(status).toEqual({ ...expected, id: answer.messages[0]!.id, timestamp: expect.stringMatching(/^\d+$/), biz_opaque_callback_data: 'outbox=OB-1' });
    } finally {
      await app.close();
    }
  });

  it('in async mode with no status webhook keeps the failed status for the test to deliver', async () => {
    fake.windowClosed = 'async';
    await graphJson(account, { path: sendPath, json: textTo(CUSTOMER) });
    expect(fake.pendingStatuses).toHaveLength(1);
    expect(fake.pendingStatuses[0]!.entry[0]!.changes[0]!.value.statuses![0]).toMatchObject({ status: 'failed', recipient_id: CUSTOMER, errors: [{ code: 131047 }] });
  });
});

describe('failure injection', () => {
  it('failNext answers the next n requests with the given Graph error, then recovers', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now());
    fake.failNext(2, { error: 130429 });
    for (let i = 0; i < 2; i += 1) {
      const error = await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
      expect({ status: error.status, code: error.code, message: error.message }).toEqual({ status: 429, code: 130429, message: '(#130429) Rate limit hit' });
    }
    await graphJson(account, { path: sendPath, json: textTo(CUSTOMER) });
    expect(fake.sent).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('failNext takes an explicit status, a whole error object, or a raw body', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now());
    fake.failNext(1, { status: 500 });
    fake.failNext(1, { error: 131056 });
    fake.failNext(1, { status: 401, error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'Atrace' } });
    fake.failNext(1, { status: 502, rawBody: '<html>Bad gateway</html>' });
    const seen = [];
    for (let i = 0; i < 4; i += 1) {
      const error = await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
      seen.push([error.status, error.code, error.subcode]);
    }
    expect(seen).toEqual([
      [500, 131000, null],
      [429, 131056, null],
      [401, 190, 463],
      [502, null, null],
    ]);
    expect(fake.sent).toEqual([]);
  });

  it('failNext scoped to a phone number leaves the other numbers alone', async () => {
    fake.customerWrote(OTHER.phoneNumberId, CUSTOMER, Date.now());
    fake.failNext(1, { phoneNumberId: NUMBER.phoneNumberId, error: 131000 });
    await graphJson({ ...account, accessToken: OTHER.accessToken }, { path: `/${OTHER.phoneNumberId}/messages`, json: textTo(CUSTOMER) });
    expect(fake.sent.map((s) => s.phoneNumberId)).toEqual([OTHER.phoneNumberId]);
    const error = await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
    expect(error.code).toBe(131000);
  });

  it('hangNext holds the request open so the client times out; the next one is answered', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, Date.now());
    fake.hangNext(1, { endpoint: 'messages' });
    const timedOut = await graphJson(account, { path: sendPath, json: textTo(CUSTOMER), timeoutMs: 150 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((timedOut as Error).name).toBe('TimeoutError');
    expect(fake.requests[0]).toMatchObject({ endpoint: 'messages', status: null });
    await graphJson(account, { path: sendPath, json: textTo(CUSTOMER) });
    expect(fake.sent).toHaveLength(1);
  });
});

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
}

/** A bare HTTP server standing in for the app's webhook endpoint. */
async function startReceiver(status = 200): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(status).end('EVENT_RECEIVED');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

void inboundMedia;
void statusUpdate;
void graphBytes;
export type { FakeTemplate };
