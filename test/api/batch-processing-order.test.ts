// Deliveries processed a batch at a time keep each customer's order, over real HTTP on both engines:
// a customer's photo (stored one at a time, its file still to fetch) stays ahead of the text they sent
// after it, though texts are otherwise stored together with the batch.
import { describe, expect, it } from 'vitest';
import { inboundMedia, inboundText } from '../../src/channels/whatsapp/fake-graph/index.js';
import { useApi } from '../support/api.js';
import { ENGINES } from '../support/stores.js';
import { BUSINESS_NUMBER, connectWhatsapp, postWhatsapp, processInbound } from '../support/whatsapp.js';

let sequence = 0;
const newWaId = () => `1555${String(8_300_000 + (process.pid % 1000) * 100 + sequence++).padStart(7, '0')}`;

describe.each(ENGINES)('processing deliveries in batches (%s)', (engine) => {
  const api = useApi(engine);

  it("a customer's text sent after their photo is stored after it, while another customer's text is stored with the batch", async () => {
    await connectWhatsapp(api);
    const seconds = () => Math.floor(api.world.clock.now() / 1000);
    const [photographer, writer] = [newWaId(), newWaId()];
    const deliveries = [
      inboundMedia({ ...BUSINESS_NUMBER, waId: photographer, name: 'Ada', timestampSec: seconds(), kind: 'image', mediaId: 'media-of-order', mimeType: 'image/jpeg', sha256: 'x', caption: 'the broken part', id: 'wamid.ORDER1' }),
      inboundText({ ...BUSINESS_NUMBER, waId: writer, name: 'Ben', text: 'hello from Ben', timestampSec: seconds(), id: 'wamid.ORDER2' }),
      inboundText({ ...BUSINESS_NUMBER, waId: photographer, name: 'Ada', text: 'as you can see in the photo', timestampSec: seconds(), id: 'wamid.ORDER3' }),
    ];
    for (const delivery of deliveries) expect((await postWhatsapp(api, delivery)).status).toBe(200);
    expect(await processInbound(api)).toBe(3);

    const db = api.db.store.db;
    // Message ids are time-ordered: their order is the order the messages were stored in.
    const stored = await db.selectFrom('messages').select(['provider_message_id', 'body']).where('provider_message_id', 'in', ['wamid.ORDER1', 'wamid.ORDER2', 'wamid.ORDER3']).orderBy('id').execute();
    const ada = stored.filter((m) => m.provider_message_id !== 'wamid.ORDER2').map((m) => m.provider_message_id);
    expect(ada).toEqual(['wamid.ORDER1', 'wamid.ORDER3']);
    // Ben's text did not wait for Ada's photo: it was stored with the batch, first.
    expect(stored[0]!.provider_message_id).toBe('wamid.ORDER2');
  });
});
