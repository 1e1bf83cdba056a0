// PRIVATE_OUTBOUND_URLS over real HTTP on both engines: with the production default (refuse), webhook URLs
// and a live channel's Graph base URL that are or resolve to private addresses are refused when saved, and
// a delivery or Graph call that would reach one sends nothing (no body, no signature, no token) and says
// why; with allow, as every other test runs, the same URLs are saved and reached. Only 127.0.0.1 is ever
// connected to: the other private addresses here are refused before any connection.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { inboundMedia } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappMediaFetcher } from '../../src/channels/whatsapp/media.js';
import { whatsappSender } from '../../src/channels/whatsapp/sender.js';
import { createLogger } from '../../src/lib/logger.js';
import { fetchDueMedia } from '../../src/modules/attachments/fetch-provider-media.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import { deliverWebhooks } from '../../src/modules/webhooks/deliver-webhooks.js';
import { fanOutWebhookEvents } from '../../src/modules/webhooks/fan-out-webhook-events.js';
import { useApi, type ApiContext } from '../support/api.js';
import { stored } from '../support/assertions.js';
import { inbound, newAddress } from '../support/factories.js';
import { countRows } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { ACCESS_TOKEN, APP_SECRET, BUSINESS_NUMBER, connectWhatsapp, postWhatsapp, processInbound } from '../support/whatsapp.js';

const EVENTS = ['message.created'];
// Stored only: no test here ever delivers to it.
const PUBLIC_URL = 'https://93.184.216.34/hooks/threadbox';

/** Private URLs of every sort; only the receiver's own (127.0.0.1) would ever be connected to, and only with allow. */
function privateUrls(receiver: WebhookReceiver): string[] {
  const port = new URL(receiver.url).port;
  return [
    receiver.url,
    'http://127.0.0.1:5432/',
    'http://169.254.169.254/latest/meta-data/',
    `http://localhost:${port}/hooks/threadbox`,
    'http://[::1]:8080/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a9fe:a9fe]/hook',
    'http://10.0.0.5:8080/in',
    'http://100.64.0.1/in',
    'http://[fd00::1]/in',
    'http://0.0.0.0:3000/',
  ];
}

/**
 * Runs the fan-out until one more delivery is queued. On PostgreSQL an event is read once every older
 * transaction on the whole server has ended (other test files' included), so one run may leave it.
 */
async function fanOutOne(api: ApiContext): Promise<void> {
  let queued = 0;
  await vi.waitFor(
    async () => {
      queued += await fanOutWebhookEvents(api.world.deps);
      expect(queued).toBe(1);
    },
    { timeout: 15_000, interval: 20 },
  );
}

async function adminCookie(api: ApiContext): Promise<string> {
  return api.signIn((await api.addUser('admin')).email);
}

describe.each(ENGINES)('outgoing requests to private addresses, refused (PRIVATE_OUTBOUND_URLS=refuse) (%s)', (engine) => {
  const api = useApi(engine, { allowPrivateOutboundUrls: false });
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('a webhook URL that is or resolves to a private address is refused with 422 URL_NOT_ALLOWED, and nothing is stored', async () => {
    const cookie = await adminCookie(api);
    for (const url of privateUrls(receiver)) {
      const response = await api.call('POST', '/api/webhooks', { cookie, body: { url, eventTypes: EVENTS } });
      expect(response.status, url).toBe(422);
      expect(response.body.error.code).toBe('URL_NOT_ALLOWED');
      expect(response.body.error.message).toMatch(/^url is not allowed: .* (is|resolves to) an? [A-Za-z -]+ address.*PRIVATE_OUTBOUND_URLS=allow/);
      expect(response.body.error.details).toMatchObject({ field: 'url' });
    }
    const localhost = await api.call('POST', '/api/webhooks', { cookie, body: { url: `http://localhost:${new URL(receiver.url).port}/`, eventTypes: EVENTS } });
    expect(localhost.body.error.message).toMatch(/localhost resolves to a loopback address/);
    const metadata = await api.call('POST', '/api/webhooks', { cookie, body: { url: 'http://169.254.169.254/latest/meta-data/', eventTypes: EVENTS } });
    expect(metadata.body.error.details).toEqual({ field: 'url', host: '169.254.169.254', address: '169.254.169.254', kind: 'link-local' });
    expect(await countRows(api.db.store, 'webhooks')).toBe(0);

    expect((await api.call('POST', '/api/webhooks', { cookie, body: { url: PUBLIC_URL, eventTypes: EVENTS } })).status).toBe(201);
  });

  it('changing a webhook URL to a private address is refused, and the URL stays as it was', async () => {
    const cookie = await adminCookie(api);
    const created = await api.call('POST', '/api/webhooks', { cookie, body: { url: PUBLIC_URL, eventTypes: EVENTS } });
    const id = created.body.webhook.id as string;
    for (const url of privateUrls(receiver)) {
      const response = await api.call('PATCH', `/api/webhooks/${id}`, { cookie, body: { url } });
      expect(response.status, url).toBe(422);
      expect(response.body.error.code).toBe('URL_NOT_ALLOWED');
    }
    expect((await api.call('GET', `/api/webhooks/${id}`, { cookie })).body.webhook.url).toBe(PUBLIC_URL);
    expect((await api.call('PATCH', `/api/webhooks/${id}`, { cookie, body: { description: 'still fine' } })).status).toBe(200);
  });

  it('a delivery whose URL leads to a private address when it is sent gets nothing there and is given up, with the reason on the webhook; allowed, it arrives', async () => {
    const cookie = await adminCookie(api);
    const created = await api.call('POST', '/api/webhooks', { cookie, body: { url: PUBLIC_URL, eventTypes: EVENTS } });
    const id = created.body.webhook.id as string;
    const port = new URL(receiver.url).port;
    // Saved while allowed, or a name whose DNS answer has changed since: the URL now leads to a private address.
    const cases = [
      { url: receiver.url, says: '127.0.0.1 is a loopback address' },
      { url: `http://localhost:${port}/hooks/threadbox`, says: 'localhost resolves to a loopback address' },
      { url: 'http://169.254.169.254/latest/meta-data/', says: '169.254.169.254 is a link-local address' },
    ];
    for (const { url, says } of cases) {
      await api.db.store.db.updateTable('webhooks').set({ url }).where('id', '=', id).execute();
      stored(await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock)));
      await fanOutOne(api);
      expect(await deliverWebhooks(api.world.deps, { timeoutMs: 300 })).toBe(1);
      const view = (await api.call('GET', `/api/webhooks/${id}`, { cookie })).body.webhook;
      expect(view.lastFailureAt).toBe(api.world.clock.now());
      expect(view.lastFailureReason).toContain(`The delivery was not sent: ${says}`);
      expect(view.lastFailureReason).toContain('PRIVATE_OUTBOUND_URLS=allow');
      // Given up at once: nothing is left to retry.
      api.world.clock.advance(24 * 60 * 60_000);
      expect(await deliverWebhooks(api.world.deps, { timeoutMs: 300 })).toBe(0);
    }
    expect(receiver.received).toHaveLength(0);

    await api.db.store.db.updateTable('webhooks').set({ url: receiver.url }).where('id', '=', id).execute();
    stored(await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock)));
    await fanOutOne(api);
    expect(await deliverWebhooks({ ...api.world.deps, allowPrivateOutboundUrls: true }, { timeoutMs: 2_000 })).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers['x-threadbox-signature']).toMatch(/^sha256=/);
  });

  it('a live channel whose Graph base URL leads to a private address is refused when connected or changed; a sandbox channel is not', async () => {
    const cookie = await adminCookie(api);
    const before = await countRows(api.db.store, 'channels');
    const whatsapp = (graphBaseUrl: string, phoneNumberId = '200000000000777') => ({
      kind: 'whatsapp',
      name: 'Support line',
      settings: { phoneNumberId, graphBaseUrl },
      secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET },
    });
    for (const url of privateUrls(receiver)) {
      const response = await api.call('POST', '/api/channels', { cookie, body: whatsapp(url) });
      expect(response.status, url).toBe(422);
      expect(response.body.error.code).toBe('URL_NOT_ALLOWED');
      expect(response.body.error.details).toMatchObject({ field: 'settings.graphBaseUrl' });
    }
    const instagram = await api.call('POST', '/api/channels', {
      cookie,
      body: { kind: 'instagram', name: 'IG', settings: { instagramAccountId: '17841400000000777', graphBaseUrl: 'http://169.254.169.254/' }, secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } },
    });
    expect(instagram.status).toBe(422);
    expect(instagram.body.error.message).toMatch(/^settings\.graphBaseUrl is not allowed: 169\.254\.169\.254 is a link-local address/);
    expect(await countRows(api.db.store, 'channels')).toBe(before);

    // Sandbox channels talk to the built-in fakes on loopback.
    const sandbox = await api.call('POST', '/api/channels', { cookie, body: { kind: 'whatsapp', name: 'Try it', sandbox: true, settings: { graphBaseUrl: receiver.url } } });
    expect(sandbox.status).toBe(201);
    expect((await api.call('PATCH', `/api/channels/${sandbox.body.channel.id}`, { cookie, body: { settings: { graphBaseUrl: 'http://127.0.0.1:9/' } } })).status).toBe(200);

    const live = await api.call('POST', '/api/channels', { cookie, body: whatsapp('https://93.184.216.34') });
    expect(live.status).toBe(201);
    const changed = await api.call('PATCH', `/api/channels/${live.body.channel.id}`, { cookie, body: { name: 'Renamed', settings: { graphBaseUrl: `http://localhost:${new URL(receiver.url).port}` } } });
    expect(changed.status).toBe(422);
    expect(changed.body.error.code).toBe('URL_NOT_ALLOWED');
    const notAUrl = await api.call('PATCH', `/api/channels/${live.body.channel.id}`, { cookie, body: { settings: { graphBaseUrl: 'not a url' } } });
    expect(notAUrl.status).toBe(400);
    expect(notAUrl.body.error.code).toBe('VALIDATION_FAILED');
    const after = (await api.call('GET', `/api/channels/${live.body.channel.id}`, { cookie })).body.channel;
    expect(after).toMatchObject({ name: 'Support line', settings: { graphBaseUrl: 'https://93.184.216.34' } });
  });

  it("a live WhatsApp channel whose Graph base URL is private never sends its token there: sends, template sync and media downloads fail and say why", async () => {
    const graphBaseUrl = new URL(receiver.url).origin;
    const channel = await connectWhatsapp(api, { graphBaseUrl, businessAccountId: '300000000000777' });
    const senders = { byKind: { whatsapp: whatsappSender({ readAttachment: () => Promise.reject(new Error('no files here')), timeoutMs: 2_000 }) }, sandbox: sandboxSender };
    const admin = await adminCookie(api);
    const agent = await api.signIn((await api.addUser('agent')).email);

    // A reply: failed at once with the reason, not retried.
    const customer = stored(await ingestInbound(api.world.deps, inbound(channel, api.world.clock, { address: newAddress('whatsapp') })));
    const replied = await api.call('POST', `/api/tickets/${customer.ticketId}/replies`, { cookie: agent, body: { message: { kind: 'text', body: 'We are on it.' } } });
    expect(replied.status).toBeLessThan(300);
    expect(await deliverDueMessages(api.world.deps, senders)).toBe(1);
    const reply = await api.db.store.db.selectFrom('messages').selectAll().where('ticket_id', '=', customer.ticketId).where('direction', '=', 'outbound').executeTakeFirstOrThrow();
    expect(reply).toMatchObject({ status: 'failed', error_code: 'URL_NOT_ALLOWED' });
    expect(reply.error_message).toContain('WhatsApp was not called: 127.0.0.1 is a loopback address');

    // Template sync, asked by an admin.
    const sync = await api.call('POST', `/api/channels/${channel.id}/templates/sync`, { cookie: admin });
    expect(sync.status).toBe(422);
    expect(sync.body.error.code).toBe('TEMPLATE_SYNC_FAILED');
    expect(sync.body.error.message).toContain('127.0.0.1 is a loopback address');

    // A customer's image: the message is stored, the download (id -> URL -> bytes, with the token) is not made.
    const payload = inboundMedia({ ...BUSINESS_NUMBER, waId: '15557770123', name: 'Ana', timestampSec: Math.floor(api.world.clock.now() / 1000), kind: 'image', mediaId: 'media-777', mimeType: 'image/png', sha256: 'x', caption: 'broken' });
    expect((await postWhatsapp(api, payload)).status).toBe(200);
    await processInbound(api);
    const logger = createLogger('silent');
    expect(await fetchDueMedia(api.world.deps, new LocalDiskAttachmentStorage(api.attachmentsDir), { whatsapp: whatsappMediaFetcher }, logger)).toBe(1);
    const media = await api.db.store.db.selectFrom('outbox').select('last_error').where('topic', '=', 'media.fetch').executeTakeFirstOrThrow();
    expect(media.last_error).toContain('127.0.0.1 is a loopback address');

    expect(receiver.received).toHaveLength(0);

    // The same listener does get the token once private addresses are allowed: it is what the refusal kept from it.
    const second = stored(await ingestInbound(api.world.deps, inbound(channel, api.world.clock, { address: newAddress('whatsapp') })));
    await api.call('POST', `/api/tickets/${second.ticketId}/replies`, { cookie: agent, body: { message: { kind: 'text', body: 'Hello again.' } } });
    // (A second later: the first send took this second's slot of the channel's send rate.)
    api.world.clock.advance(1_000);
    expect(await deliverDueMessages({ ...api.world.deps, allowPrivateOutboundUrls: true }, senders)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });
});

describe.each(ENGINES)('outgoing requests to private addresses, allowed (PRIVATE_OUTBOUND_URLS=allow) (%s)', (engine) => {
  const api = useApi(engine, { allowPrivateOutboundUrls: true });
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('the same webhook URLs and Graph base URLs are saved, and a loopback receiver gets its deliveries', async () => {
    const cookie = await adminCookie(api);
    for (const url of privateUrls(receiver)) {
      expect((await api.call('POST', '/api/webhooks', { cookie, body: { url, eventTypes: EVENTS } })).status, url).toBe(201);
    }
    const channel = await api.call('POST', '/api/channels', {
      cookie,
      body: { kind: 'whatsapp', name: 'Line', settings: { phoneNumberId: '200000000000778', graphBaseUrl: 'http://127.0.0.1:5432' }, secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } },
    });
    expect(channel.status).toBe(201);
    // Only the receiver's own webhook stays enabled: the others are never delivered to.
    await api.db.store.db.updateTable('webhooks').set({ enabled: 0 }).where('url', '!=', receiver.url).execute();

    stored(await ingestInbound(api.world.deps, inbound(api.world.channels.whatsapp, api.world.clock)));
    await fanOutOne(api);
    expect(await deliverWebhooks(api.world.deps, { timeoutMs: 2_000 })).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });
});
