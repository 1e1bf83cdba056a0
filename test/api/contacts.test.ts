// Contacts search, contact detail and the reply-window pre-flight over real HTTP on both engines.
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { buildWorld, inbound } from '../support/factories.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('the contacts API (%s)', (engine) => {
  const api = useApi(engine);

  async function maria(hoursAgo: number) {
    const result = await ingestInbound(
      api.world.deps,
      inbound(api.world.channels.whatsapp, api.world.clock, { address: '15550102030', contact: { address: '15550102030', displayName: 'María Santos' }, sentAt: api.world.clock.hoursAgo(hoursAgo) }),
    );
    if (result.outcome !== 'stored') throw new Error('expected the message to be stored');
    const ticket = await api.db.store.db.selectFrom('tickets').select('contact_id').where('id', '=', result.ticketId).executeTakeFirstOrThrow();
    return ticket.contact_id;
  }

  it('finds a contact by name, by phone digits in any format, and by Instagram handle', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const contactId = await maria(1);
    await ingestInbound(api.world.deps, inbound(api.world.channels.instagram, api.world.clock, { contact: { address: '17841400000000009', displayName: 'Jonas', username: 'jonas.w' }, address: '17841400000000009' }));
    for (const q of ['maría', '+1 555 010', '0102030']) {
      const found = await api.call('GET', `/api/contacts?q=${encodeURIComponent(q)}`, { cookie });
      expect(found.body.contacts.map((c: { id: string }) => c.id)).toEqual([contactId]);
    }
    const handle = await api.call('GET', '/api/contacts?q=%40jonas', { cookie });
    expect(handle.body.contacts.map((c: { name: string }) => c.name)).toEqual(['Jonas']);
  });

  it('the pre-flight says a template is required 25 hours after the customer wrote, with the refusal sentence', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const contactId = await maria(25);
    const response = await api.call('GET', `/api/reply-window?channelId=${api.world.channels.whatsapp.id}&contactId=${contactId}`, { cookie });
    expect(response.status).toBe(200);
    expect(response.body.window).toMatchObject({ channelKind: 'whatsapp', canStart: true, templateRequired: true, windowClosesAt: null, freeForm: { allowed: false, refusal: { code: 'WHATSAPP_TEMPLATE_REQUIRED' } }, template: { allowed: true } });
  });

  it('the pre-flight inside the window says when it closes', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const contactId = await maria(2);
    const response = await api.call('GET', `/api/reply-window?channelId=${api.world.channels.whatsapp.id}&contactId=${contactId}`, { cookie });
    expect(response.body.window).toMatchObject({ templateRequired: false, freeForm: { allowed: true }, windowClosesAt: api.world.clock.hoursAgo(2) + 24 * 3_600_000 });
  });

  it('a contact shows its identities with each channel\'s window and its tickets', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const contactId = await maria(3);
    const detail = await api.call('GET', `/api/contacts/${contactId}`, { cookie });
    expect(detail.body.contact).toMatchObject({ id: contactId, name: 'María Santos', tags: [] });
    expect(detail.body.identities).toEqual([expect.objectContaining({ channelId: api.world.channels.whatsapp.id, address: '15550102030', window: expect.objectContaining({ templateRequired: false }) })]);
    expect(detail.body.tickets).toHaveLength(1);
  });

  it('contacts and channels of another workspace answer 404 and never appear in a search', async () => {
    const contactId = await maria(1);
    const other = await buildWorld(api.db.store);
    const cookie = await api.signIn((await api.addUser('admin', other)).email);
    expect((await api.call('GET', `/api/contacts/${contactId}`, { cookie })).status).toBe(404);
    expect((await api.call('GET', '/api/contacts?q=maria', { cookie })).body.contacts).toEqual([]);
    expect((await api.call('GET', `/api/reply-window?channelId=${api.world.channels.whatsapp.id}&contactId=${contactId}`, { cookie })).status).toBe(404);
    expect((await api.call('GET', `/api/reply-window?channelId=${other.channels.whatsapp.id}&contactId=${contactId}`, { cookie })).status).toBe(404);
  });

  it('a search without text answers 400', async () => {
    const cookie = await api.signIn((await api.addUser('agent')).email);
    const response = await api.call('GET', '/api/contacts?q=', { cookie });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});
