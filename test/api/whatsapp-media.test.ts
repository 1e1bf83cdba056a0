// A customer's WhatsApp media: the message is stored first, then the file is downloaded through the
// Graph media endpoint (id -> URL -> bytes with the token) into attachment storage, with retries; a
// download that keeps failing leaves a visible placeholder on the message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inboundMedia, startFakeGraph, type FakeGraph } from '../../src/channels/whatsapp/fake-graph/index.js';
import { whatsappMediaFetcher } from '../../src/channels/whatsapp/media.js';
import { createLogger } from '../../src/lib/logger.js';
import { fetchDueMedia } from '../../src/modules/attachments/fetch-provider-media.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { useApi } from '../support/api.js';
import { ENGINES } from '../support/stores.js';
import { ACCESS_TOKEN, BUSINESS_NUMBER, connectWhatsapp, PHONE_NUMBER_ID, postWhatsapp, processInbound } from '../support/whatsapp.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 7)]);

describe.each(ENGINES)('WhatsApp media (%s)', (engine) => {
  const api = useApi(engine);
  let fake: FakeGraph;

  beforeEach(async () => {
    fake = await startFakeGraph({ phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN }], now: () => api.world.clock.now() });
  });
  afterEach(() => fake.close());

  async function customerSentImage() {
    await connectWhatsapp(api, { graphBaseUrl: fake.url });
    const mediaId = fake.addMedia(PNG, 'image/png', { phoneNumberId: PHONE_NUMBER_ID });
    const payload = inboundMedia({ ...BUSINESS_NUMBER, waId: '15557770123', name: 'Ana', timestampSec: Math.floor(api.world.clock.now() / 1000), kind: 'image', mediaId, mimeType: 'image/png', sha256: 'x', caption: 'the broken part' });
    expect((await postWhatsapp(api, payload)).status).toBe(200);
    await processInbound(api);
    return api.db.store.db.selectFrom('messages').selectAll().where('kind', '=', 'media').executeTakeFirstOrThrow();
  }

  const fetchMedia = () => fetchDueMedia(api.world.deps, new LocalDiskAttachmentStorage(api.attachmentsDir), { whatsapp: whatsappMediaFetcher }, createLogger('silent'));

  it('the message is stored at once, and its image is then downloaded into attachment storage and served to agents', async () => {
    const message = await customerSentImage();
    expect(message.body).toBe('the broken part');
    expect(JSON.parse(message.attachments!)[0]).toMatchObject({ storageKey: null, contentType: 'image/png' });
    expect(await fetchMedia()).toBe(1);
    const [attachment] = JSON.parse((await api.db.store.db.selectFrom('messages').select('attachments').where('id', '=', message.id).executeTakeFirstOrThrow()).attachments!);
    expect(attachment).toMatchObject({ storageKey: expect.any(String), attachmentId: expect.any(String), size: PNG.length });
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const download = await fetch(`${api.url}/api/attachments/${attachment.attachmentId}/content`, { headers: { cookie } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('a failing download is retried, and after the last attempt the message shows why its file is missing', async () => {
    const message = await customerSentImage();
    fake.failNext(100, { status: 500 });
    for (let attempt = 0; attempt < 9; attempt++) {
      await fetchMedia();
      api.world.clock.advance(60 * 60_000);
    }
    const [attachment] = JSON.parse((await api.db.store.db.selectFrom('messages').select('attachments').where('id', '=', message.id).executeTakeFirstOrThrow()).attachments!);
    expect(attachment).toMatchObject({ storageKey: null, failed: expect.stringContaining('could not be downloaded') });
    expect(message.body).toBe('the broken part');
  });
});
