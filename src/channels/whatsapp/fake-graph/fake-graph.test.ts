// The fake Graph API, driven through our own Graph client over real HTTP: what it accepts, what it
// refuses and how (Meta's error envelopes), what it records, and the webhooks it posts back.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphError, graphBytes, graphJson, type GraphAccount } from '../../meta/graph-client.js';
import { TestClock } from '../../../../test/support/clock.js';
import { inboundMedia, inboundText, startFakeGraph, statusUpdate, type FakeGraph, type FakeTemplate } from './index.js';

const FIXTURES = new URL('../../../../test/fixtures/channels/', import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const NUMBER = { phoneNumberId: '200000000000002', accessToken: 'EAAG-fake-token-for-number-2', displayPhoneNumber: '15550001111', wabaId: '100000000000001' };
const OTHER = { phoneNumberId: '200000000000009', accessToken: 'EAAG-fake-token-for-number-9', displayPhoneNumber: '15550009999', wabaId: '100000000000009' };
const CUSTOMER = '15559990001';
const HOUR = 60 * 60 * 1000;

let fake: FakeGraph;
let clock: TestClock;
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
  clock = new TestClock();
  fake = await startFakeGraph({ phoneNumbers: [NUMBER, OTHER], now: () => clock.now() });
  // The fake listens on 127.0.0.1, which only an account allowed private addresses may reach.
  account = { baseUrl: fake.url, apiVersion: 'v23.0', accessToken: NUMBER.accessToken, allowPrivateAddresses: true };
});

afterEach(async () => {
  await fake.close();
});

describe('sending messages to the fake Graph API', () => {
  it('accepts a text inside the window, answers like Meta with a wamid, and records the exact request', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now() - 2 * HOUR);
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
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now() - HOUR);
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
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now());
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
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now());
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
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now() - 25 * HOUR);
    const response = await fetch(`${fake.url}/v23.0${sendPath}`, { method: 'POST', headers: { authorization: `Bearer ${NUMBER.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(textTo(CUSTOMER)) });
    expect(response.status).toBe(400);
    const expected = fixture('whatsapp-error-131047-response.json');
    expect(await response.json()).toEqual({ error: { ...expected.error, fbtrace_id: expect.any(String) } });
    expect(fake.sent).toEqual([]);
  });

  it('refuses free-form to a customer who never wrote, and to one who wrote to another number', async () => {
    fake.customerWrote(OTHER.phoneNumberId, CUSTOMER, clock.now());
    const error = await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 131047 });
  });

  it('opens the window from an inbound message the fake delivered, using the provider timestamp', async () => {
    const app = await startReceiver();
    try {
      await fake.deliverWebhook(app.url, inboundText({ ...NUMBER, waId: CUSTOMER, name: 'Jane', text: 'hello', timestampSec: Math.floor((clock.now() - 2 * HOUR) / 1000) }), 'secret-secret-secret');
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
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now());
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
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now());
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
    fake.customerWrote(OTHER.phoneNumberId, CUSTOMER, clock.now());
    fake.failNext(1, { phoneNumberId: NUMBER.phoneNumberId, error: 131000 });
    await graphJson({ ...account, accessToken: OTHER.accessToken }, { path: `/${OTHER.phoneNumberId}/messages`, json: textTo(CUSTOMER) });
    expect(fake.sent.map((s) => s.phoneNumberId)).toEqual([OTHER.phoneNumberId]);
    const error = await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
    expect(error.code).toBe(131000);
  });

  it('hangNext holds the request open so the client times out; the next one is answered', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now());
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

const FOLLOWUP: FakeTemplate = fixtureTemplate('ticket_followup_v1', 'en_US', 'APPROVED');

function fixtureTemplate(name: string, language: string, status: string): FakeTemplate {
  return {
    name,
    language,
    status,
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-1001'] } },
      { type: 'BODY', text: 'Hi {{1}}, we have an update on ticket {{2}}.', example: { body_text: [['Jane', 'T-123']] } },
      { type: 'FOOTER', text: 'Example Support' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Reopen' }, { type: 'URL', text: 'Track', url: 'https://track.example.org/{{1}}' }] },
    ],
  };
}

/** The fixture's template send, plus the URL button parameter our template definition asks for. */
function templateSend(change: (template: Record<string, any>) => void = () => {}) {
  const body = fixture('whatsapp-template-send-request.json');
  body.template.components.push({ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'T-123' }] });
  change(body.template);
  return body;
}

describe('template sends', () => {
  beforeEach(() => {
    fake.setTemplates(NUMBER.wabaId, [FOLLOWUP, fixtureTemplate('paused_v1', 'en_US', 'PAUSED'), fixtureTemplate('pending_v1', 'en_US', 'PENDING')]);
  });

  it('accepts an approved template outside the window, answers message_status accepted, and records the exact body', async () => {
    const body = templateSend();
    const answer = await graphJson<{ messages: { id: string; message_status: string }[] }>(account, { path: sendPath, json: body });
    expect(answer.messages).toEqual([{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }]);
    const success = fixture('whatsapp-send-success-response.json');
    expect(Object.keys(answer).sort()).toEqual(Object.keys(success).sort());
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]!.body).toEqual(body);
    expect(fake.sent[0]!.type).toBe('template');
  });

  it('answers 132001 for an unknown name, another language, or a template that is not approved', async () => {
    for (const change of [(t: any) => (t.name = 'no_such_template'), (t: any) => (t.language.code = 'pt_BR'), (t: any) => (t.name = 'pending_v1')]) {
      const error = await refusal(graphJson(account, { path: sendPath, json: templateSend(change) }));
      expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 132001 });
    }
    const paused = await refusal(graphJson(account, { path: sendPath, json: templateSend((t) => (t.name = 'paused_v1')) }));
    expect(paused.code).toBe(132015);
    expect(fake.sent).toEqual([]);
  });

  it('answers 132000 when a component has too few or too many parameters, 132012 for the wrong kind', async () => {
    const body = (t: any) => t.components.find((c: any) => c.type === 'body');
    const cases: [(t: any) => void, number, RegExp][] = [
      [(t) => body(t).parameters.pop(), 132000, /^body: number of localizable_params \(1\) does not match the expected number of params \(2\)$/],
      [(t) => body(t).parameters.push({ type: 'text', text: 'extra' }), 132000, /\(3\).*\(2\)/],
      [(t) => (t.components = t.components.filter((c: any) => c.type !== 'header')), 132000, /^header/],
      [(t) => (t.components = t.components.filter((c: any) => c.sub_type !== 'url')), 132000, /^button at index 1/],
      [(t) => (body(t).parameters[0] = { type: 'image', image: { id: '1' } }), 132012, /^body/],
    ];
    for (const [change, code, details] of cases) {
      const error = await refusal(graphJson(account, { path: sendPath, json: templateSend(change) }));
      expect({ code: error.code, status: error.status }).toEqual({ code, status: 400 });
      expect(error.details).toMatch(details);
    }
    expect(fake.sent).toEqual([]);
  });

  it('only offers a number the templates of its own business account', async () => {
    fake.customerWrote(OTHER.phoneNumberId, CUSTOMER, clock.now());
    const error = await refusal(graphJson({ ...account, accessToken: OTHER.accessToken }, { path: `/${OTHER.phoneNumberId}/messages`, json: templateSend() }));
    expect(error.code).toBe(132001);
  });
});

describe('listing templates', () => {
  const many = Array.from({ length: 7 }, (_, i) => ({ ...FOLLOWUP, name: `template_${i}` }));

  it('pages with Graph cursors across three pages, following paging.next back to the fake', async () => {
    fake.setTemplates(NUMBER.wabaId, many);
    type Page = { data: Record<string, unknown>[]; paging?: { cursors: { before: string; after: string }; next?: string; previous?: string } };
    const pages: Page[] = [];
    let page = await graphJson<Page>(account, { path: `/${NUMBER.wabaId}/message_templates`, query: { fields: 'name,language,status,category,components,parameter_format,id', limit: '3' } });
    pages.push(page);
    while (page.paging?.next) {
      expect(page.paging.next.startsWith(`${fake.url}/v23.0/${NUMBER.wabaId}/message_templates?`)).toBe(true);
      expect(new URL(page.paging.next).searchParams.get('after')).toBe(page.paging.cursors.after);
      page = await graphJson<Page>(account, { path: page.paging.next });
      pages.push(page);
    }
    expect(pages.map((p) => p.data.map((t) => t.name))).toEqual([
      ['template_0', 'template_1', 'template_2'],
      ['template_3', 'template_4', 'template_5'],
      ['template_6'],
    ]);
    expect(pages.map((p) => [Boolean(p.paging?.next), Boolean(p.paging?.previous)])).toEqual([
      [true, false],
      [true, true],
      [false, true],
    ]);
    expect(pages[0]!.data[0]).toEqual({ ...FOLLOWUP, name: 'template_0', id: expect.stringMatching(/^\d+$/) });
    const recorded = fake.requests.filter((r) => r.endpoint === 'templates');
    expect(recorded.map((r) => r.query.limit)).toEqual(['3', '3', '3']);
  });

  it('answers only the fields asked for (and the id), and an empty list without paging', async () => {
    fake.setTemplates(NUMBER.wabaId, many);
    const page = await graphJson<{ data: Record<string, unknown>[] }>(account, { path: `/${NUMBER.wabaId}/message_templates`, query: { fields: 'name,status', limit: '1' } });
    expect(page.data).toEqual([{ id: expect.any(String), name: 'template_0', status: 'APPROVED' }]);
    fake.setTemplates(NUMBER.wabaId, []);
    expect(await graphJson(account, { path: `/${NUMBER.wabaId}/message_templates` })).toEqual({ data: [] });
  });

  it('refuses a business account the token does not belong to, and a bad cursor', async () => {
    fake.setTemplates(NUMBER.wabaId, many);
    const foreign = await refusal(graphJson({ ...account, accessToken: OTHER.accessToken }, { path: `/${NUMBER.wabaId}/message_templates` }));
    expect({ status: foreign.status, code: foreign.code }).toEqual({ status: 400, code: 100 });
    const wrong = await refusal(graphJson({ ...account, accessToken: 'EAAG-unknown' }, { path: `/${NUMBER.wabaId}/message_templates` }));
    expect({ status: wrong.status, code: wrong.code }).toEqual({ status: 401, code: 190 });
    const cursor = await refusal(graphJson(account, { path: `/${NUMBER.wabaId}/message_templates`, query: { after: 'bm9wZQ==' } }));
    expect(cursor.code).toBe(100);
  });
});

describe('media', () => {
  const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

  it('resolves a media id to a URL on the fake, whose bytes come back only with the token', async () => {
    const id = fake.addMedia(bytes, 'image/jpeg');
    const info = await graphJson<{ url: string; mime_type: string; sha256: string; file_size: string; id: string; messaging_product: string }>(account, {
      path: `/${id}`,
      query: { phone_number_id: NUMBER.phoneNumberId },
    });
    expect(info).toEqual({ url: expect.any(String), mime_type: 'image/jpeg', sha256: createHash('sha256').update(bytes).digest('hex'), file_size: String(bytes.length), id, messaging_product: 'whatsapp' });
    expect(info.url.startsWith(`${fake.url}/`)).toBe(true);
    const download = await graphBytes(account, { path: info.url });
    expect(download).toEqual({ bytes, contentType: 'image/jpeg' });

    expect((await fetch(info.url)).status).toBe(401);
    expect((await fetch(info.url, { headers: { authorization: 'Bearer EAAG-unknown' } })).status).toBe(401);
    const forged = new URL(info.url);
    forged.searchParams.set('hash', 'forged');
    expect((await fetch(forged, { headers: { authorization: `Bearer ${NUMBER.accessToken}` } })).status).toBe(404);
  });

  it('refuses an unknown media id with Graph error 100 and a wrong token with 190', async () => {
    const id = fake.addMedia(bytes, 'image/jpeg');
    const unknown = await refusal(graphJson(account, { path: '/999999999999' }));
    expect({ status: unknown.status, code: unknown.code }).toEqual({ status: 400, code: 100 });
    const wrong = await refusal(graphJson({ ...account, accessToken: 'EAAG-unknown' }, { path: `/${id}` }));
    expect({ status: wrong.status, code: wrong.code }).toEqual({ status: 401, code: 190 });
  });

  it('takes a multipart upload, answers its id, and serves the same bytes back', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'application/pdf');
    form.set('file', new Blob([Buffer.from('%PDF-1.4 invoice')], { type: 'application/pdf' }), 'invoice.pdf');
    const { id } = await graphJson<{ id: string }>(account, { path: `/${NUMBER.phoneNumberId}/media`, body: form });
    expect(id).toMatch(/^\d+$/);
    expect(fake.uploads).toEqual([expect.objectContaining({ id, mimeType: 'application/pdf', filename: 'invoice.pdf', phoneNumberId: NUMBER.phoneNumberId, bytes: Buffer.from('%PDF-1.4 invoice') })]);
    const info = await graphJson<{ url: string }>(account, { path: `/${id}` });
    expect((await graphBytes(account, { path: info.url })).bytes.toString()).toBe('%PDF-1.4 invoice');
    const other = await refusal(graphJson({ ...account, accessToken: OTHER.accessToken }, { path: `/${id}` }));
    expect(other.code).toBe(100);
  });

  it('refuses an upload without messaging_product or file, and honours failNext on uploads', async () => {
    const noProduct = new FormData();
    noProduct.set('file', new Blob(['x'], { type: 'text/plain' }), 'a.txt');
    expect((await refusal(graphJson(account, { path: `/${NUMBER.phoneNumberId}/media`, body: noProduct }))).code).toBe(131008);
    const noFile = new FormData();
    noFile.set('messaging_product', 'whatsapp');
    expect((await refusal(graphJson(account, { path: `/${NUMBER.phoneNumberId}/media`, body: noFile }))).code).toBe(131008);

    fake.failNext(1, { endpoint: 'media-upload', status: 503, error: 131016 });
    const good = new FormData();
    good.set('messaging_product', 'whatsapp');
    good.set('file', new Blob(['x'], { type: 'text/plain' }), 'a.txt');
    const failed = await refusal(graphJson(account, { path: `/${NUMBER.phoneNumberId}/media`, body: good }));
    expect({ status: failed.status, code: failed.code }).toEqual({ status: 503, code: 131016 });
    expect(fake.uploads).toEqual([]);
  });

  it('hangNext on media downloads makes the download time out', async () => {
    const id = fake.addMedia(bytes, 'image/jpeg');
    const info = await graphJson<{ url: string }>(account, { path: `/${id}` });
    fake.hangNext(1, { endpoint: 'media-download' });
    const error = await graphBytes(account, { path: info.url, timeoutMs: 150 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
  });
});

describe('webhooks posted to the app', () => {
  let app: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    app = await startReceiver();
  });
  afterEach(async () => {
    await app.close();
  });

  const verifies = (received: Received, secret: string) => received.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', secret).update(received.raw).digest('hex')}`;

  it('signs the exact bytes sent, with non-ASCII escaped as \\uXXXX like Meta', async () => {
    const payload = inboundText({ ...NUMBER, waId: CUSTOMER, name: 'José 👋', text: 'Café olé 👋', timestampSec: 1735689600 });
    const delivery = await fake.deliverWebhook(app.url, payload, 'app-secret-for-tests');
    expect(delivery).toMatchObject({ status: 200, responseBody: 'EVENT_RECEIVED', error: null });
    const received = app.received[0]!;
    expect(verifies(received, 'app-secret-for-tests')).toBe(true);
    expect(verifies(received, 'another-secret')).toBe(false);
    const text = received.raw.toString('utf8');
    expect(text).toContain('Jos\\u00e9 \\ud83d\\udc4b');
    expect(/[\u0080-\uffff]/.test(text)).toBe(false);
    expect(JSON.parse(text)).toEqual(payload);
    // The bug the receiver must not have: hashing a re-serialisation instead of the bytes received.
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(text)));
    expect(createHmac('sha256', 'app-secret-for-tests').update(reserialised).digest('hex')).not.toBe(String(received.headers['x-hub-signature-256']).slice(7));
  });

  it('sends a fixture byte for byte, matching the signature vector of channels.md §1.2', async () => {
    const raw = readFileSync(new URL('whatsapp-text.json', FIXTURES));
    const delivery = await fake.deliverWebhook(app.url, raw, 'fake_app_secret_for_tests');
    expect(delivery.signature).toBe('sha256=a1f33f0afe352f6ebb4ff67c910f6372dcd22ee0f9f4767a8dc0d721b4129b0a');
    expect(app.received[0]!.raw.equals(raw)).toBe(true);
  });

  it('can leave the signature out or forge it, and reports an app that answers an error', async () => {
    await fake.deliverWebhook(app.url, statusUpdate({ ...NUMBER, wamid: 'wamid.X', status: 'read', recipientId: CUSTOMER, timestampSec: 1 }), 's', { signature: null });
    await fake.deliverWebhook(app.url, statusUpdate({ ...NUMBER, wamid: 'wamid.X', status: 'read', recipientId: CUSTOMER, timestampSec: 1 }), 's', { signature: 'sha256=00' });
    expect(app.received.map((r) => r.headers['x-hub-signature-256'])).toEqual([undefined, 'sha256=00']);
    const refusing = await startReceiver(401);
    try {
      const delivery = await fake.deliverWebhook(refusing.url, inboundText({ ...NUMBER, waId: CUSTOMER, name: 'Jane', text: 'hi', timestampSec: 1 }), 's');
      expect(delivery.status).toBe(401);
    } finally {
      await refusing.close();
    }
    expect(fake.webhooks).toHaveLength(3);
  });

  it('builds the inbound payloads exactly in the shape of the fixtures', () => {
    const text = inboundText({ ...NUMBER, waId: CUSTOMER, name: 'Test Customer', text: 'Hi, my order #A-1001 has not arrived yet. Café olé 👋', timestampSec: 1735689600, id: 'wamid.FAKE_INBOUND_TEXT_0001' });
    expect(text).toEqual(fixture('whatsapp-text.json'));
    const image = inboundMedia({
      ...NUMBER,
      waId: CUSTOMER,
      name: 'Test Customer',
      timestampSec: 1735689725,
      id: 'wamid.FAKE_INBOUND_IMAGE_0002',
      replyTo: 'wamid.FAKE_OUTBOUND_AGENT_0042',
      kind: 'image',
      mediaId: '300000000000003',
      mimeType: 'image/jpeg',
      sha256: '0'.repeat(64),
      caption: 'This is the damaged box',
      url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=300000000000003&ext=FAKE',
    });
    expect(image).toEqual(fixture('whatsapp-image.json'));
    const failed = fixture('whatsapp-status-failed-131047.json');
    const status = failed.entry[0].changes[0].value.statuses[0];
    expect(statusUpdate({ ...NUMBER, wamid: status.id, status: 'failed', recipientId: CUSTOMER, timestampSec: Number(status.timestamp), errors: status.errors })).toEqual(failed);
  });

  it('batches several payloads into one POST by entries, changes or messages', async () => {
    const one = inboundText({ ...NUMBER, waId: CUSTOMER, name: 'Jane', text: 'one', timestampSec: 1 });
    const two = inboundText({ ...NUMBER, waId: '15559990002', name: 'Joe', text: 'two', timestampSec: 2 });
    const read = statusUpdate({ ...NUMBER, wamid: 'wamid.X', status: 'read', recipientId: CUSTOMER, timestampSec: 3 });
    await fake.deliverWebhook(app.url, [one, two, read], 's', { batch: 'entries' });
    await fake.deliverWebhook(app.url, [one, two, read], 's', { batch: 'messages' });
    const [byEntries, byMessages] = app.received.map((r) => JSON.parse(r.raw.toString('utf8')));
    expect(byEntries.entry).toHaveLength(3);
    expect(byMessages.entry).toHaveLength(1);
    const value = byMessages.entry[0].changes[0].value;
    expect({ messages: value.messages.length, contacts: value.contacts.length, statuses: value.statuses.length }).toEqual({ messages: 2, contacts: 2, statuses: 1 });
    expect(app.received.every((r) => verifies(r, 's'))).toBe(true);
  });

  it('after an accepted send posts sent then delivered statuses for its wamid, signed', async () => {
    fake.customerWrote(NUMBER.phoneNumberId, CUSTOMER, clock.now());
    fake.autoStatuses(app.url, 'app-secret-for-tests', ['sent', 'delivered', 'read']);
    const answer = await graphJson<{ messages: { id: string }[] }>(account, { path: sendPath, json: { ...textTo(CUSTOMER), biz_opaque_callback_data: 'outbox=OB-2' } });
    await fake.whenIdle();
    expect(app.received.every((r) => verifies(r, 'app-secret-for-tests'))).toBe(true);
    const statuses = app.received.map((r) => JSON.parse(r.raw.toString('utf8')).entry[0].changes[0].value.statuses[0]);
    expect(statuses.map((s) => [s.id, s.status, s.recipient_id, s.biz_opaque_callback_data])).toEqual([
      [answer.messages[0]!.id, 'sent', CUSTOMER, 'outbox=OB-2'],
      [answer.messages[0]!.id, 'delivered', CUSTOMER, 'outbox=OB-2'],
      [answer.messages[0]!.id, 'read', CUSTOMER, 'outbox=OB-2'],
    ]);
    fake.failNext(1, { error: 131000 });
    await refusal(graphJson(account, { path: sendPath, json: textTo(CUSTOMER) }));
    await fake.whenIdle();
    expect(app.received).toHaveLength(3);
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

