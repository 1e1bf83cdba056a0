// Creating, editing and merging contacts over real HTTP on both engines.
import { describe, expect, it } from 'vitest';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import { useApi } from '../support/api.js';
import { stored } from '../support/assertions.js';
import { buildWorld, customerWroteIn, inbound, newAddress } from '../support/factories.js';
import { countRows, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';

describe.each(ENGINES)('editing contacts over the API (%s)', (engine) => {
  const api = useApi(engine);

  async function agentCookie() {
    return api.signIn((await api.addUser('agent')).email);
  }

  it('creates a contact with addresses in each channel\'s canonical form, and "+ New" can write to it', async () => {
    const cookie = await agentCookie();
    const created = await api.call('POST', '/api/contacts', {
      cookie,
      body: {
        name: '  Lena Park ',
        addresses: [
          { channelId: api.world.channels.whatsapp.id, address: '+1 (555) 777-0001' },
          { channelId: api.world.channels.email.id, address: ' Lena@Example.TEST ' },
        ],
        tags: ['VIP'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.contact).toMatchObject({ name: 'Lena Park', tags: ['vip'] });
    expect(created.body.identities.map((i: { address: string }) => i.address).sort()).toEqual(['15557770001', 'lena@example.test']);
    const started = await api.call('POST', '/api/tickets', {
      cookie,
      body: { channelId: api.world.channels.email.id, contact: { contactId: created.body.contact.id }, message: { kind: 'text', body: 'Hello Lena', subject: 'Your order' } },
    });
    expect(started.status).toBe(201);
  });

  it('an address another contact owns refuses the creation with 409 CONTACT_ADDRESS_TAKEN and creates nothing', async () => {
    const cookie = await agentCookie();
    const owner = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const before = await countRows(api.db.store, 'contacts');
    const response = await api.call('POST', '/api/contacts', {
      cookie,
      body: { name: 'Someone', addresses: [{ channelId: api.world.channels.email.id, address: newAddress('email') }, { channelId: api.world.channels.whatsapp.id, address: `+${owner.address}` }] },
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'CONTACT_ADDRESS_TAKEN', details: { contactId: owner.contactId } });
    expect(await countRows(api.db.store, 'contacts')).toBe(before);
    expect(await countRows(api.db.store, 'contact_identities')).toBe(before);
  });

  it('refuses an invalid address, an empty contact and unknown fields with 400, creating nothing', async () => {
    const cookie = await agentCookie();
    const bodies = [
      { name: 'Bad phone', addresses: [{ channelId: api.world.channels.whatsapp.id, address: 'call me maybe' }] },
      { addresses: [] },
      { name: 'Extra', addresses: [], nickname: 'x' },
      { name: 'Wrong type', addresses: 'not a list' },
    ];
    for (const body of bodies) {
      const response = await api.call('POST', '/api/contacts', { cookie, body });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await countRows(api.db.store, 'contacts')).toBe(0);
  });

  it('renames and re-tags a contact, and adds and removes an address', async () => {
    const cookie = await agentCookie();
    const { contactId } = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const renamed = await api.call('PATCH', `/api/contacts/${contactId}`, { cookie, body: { name: 'María Santos', tags: ['Wholesale', 'wholesale', 'late payer'] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.contact).toMatchObject({ name: 'María Santos', tags: ['late payer', 'wholesale'] });

    const email = newAddress('email');
    const added = await api.call('POST', `/api/contacts/${contactId}/addresses`, { cookie, body: { channelId: api.world.channels.email.id, address: email } });
    expect(added.status).toBe(200);
    const identity = added.body.identities.find((i: { address: string }) => i.address === email);
    expect(identity).toMatchObject({ channelId: api.world.channels.email.id, window: expect.objectContaining({ canStart: true }) });
    const again = await api.call('POST', `/api/contacts/${contactId}/addresses`, { cookie, body: { channelId: api.world.channels.email.id, address: email.toUpperCase() } });
    expect(again.body.identities).toHaveLength(2);

    const removed = await api.call('DELETE', `/api/contacts/${contactId}/addresses/${identity.id}`, { cookie });
    expect(removed.status).toBe(200);
    expect(removed.body.identities.map((i: { address: string }) => i.address)).not.toContain(email);
  });

  it('an address with an active ticket on it cannot be removed (409 ADDRESS_IN_USE), and can be once the ticket is closed', async () => {
    const cookie = await agentCookie();
    const { contactId, ticketId, ticketNumber } = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const identity = (await api.call('GET', `/api/contacts/${contactId}`, { cookie })).body.identities[0];
    const refused = await api.call('DELETE', `/api/contacts/${contactId}/addresses/${identity.id}`, { cookie });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'ADDRESS_IN_USE', details: { ticketId, ticketNumber } });
    expect(await countRows(api.db.store, 'contact_identities')).toBe(1);
    await api.call('POST', `/api/tickets/${ticketId}/close`, { cookie, body: {} });
    expect((await api.call('DELETE', `/api/contacts/${contactId}/addresses/${identity.id}`, { cookie })).status).toBe(200);
  });

  it('merging moves the duplicate\'s addresses, tickets and tags, deletes it, and its address then threads into the kept contact', async () => {
    const cookie = await agentCookie();
    const keep = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const duplicate = await customerWroteIn(api.world, api.world.channels.email);
    await api.call('PATCH', `/api/contacts/${duplicate.contactId}`, { cookie, body: { tags: ['from-email'] } });
    await api.call('PATCH', `/api/contacts/${keep.contactId}`, { cookie, body: { name: 'Kept name' } });

    const merged = await api.call('POST', `/api/contacts/${keep.contactId}/merge`, { cookie, body: { duplicateContactId: duplicate.contactId } });
    expect(merged.status).toBe(200);
    expect(merged.body.movedTicketIds).toEqual([duplicate.ticketId]);
    expect(merged.body.contact).toMatchObject({ id: keep.contactId, name: 'Kept name', tags: ['from-email'] });
    expect(merged.body.identities.map((i: { address: string }) => i.address).sort()).toEqual([keep.address, duplicate.address].sort());
    expect(merged.body.tickets.map((t: { id: string }) => t.id).sort()).toEqual([keep.ticketId, duplicate.ticketId].sort());
    expect((await api.call('GET', `/api/contacts/${duplicate.contactId}`, { cookie })).status).toBe(404);

    const detail = await api.call('GET', `/api/tickets/${duplicate.ticketId}`, { cookie });
    expect(detail.body.events).toContainEqual(expect.objectContaining({ type: 'contact.merged' }));

    const later = stored(await ingestInbound(api.world.deps, inbound(api.world.channels.email, api.world.clock, { address: duplicate.address })));
    expect(later.ticketId).toBe(duplicate.ticketId);
    expect((await ticketRow(api.db.store, later.ticketId)).contact_id).toBe(keep.contactId);
  });

  it('merging two contacts with active tickets on the same channel is refused with 409 and changes nothing', async () => {
    const cookie = await agentCookie();
    const keep = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const duplicate = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const response = await api.call('POST', `/api/contacts/${keep.contactId}/merge`, { cookie, body: { duplicateContactId: duplicate.contactId } });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('MERGE_ACTIVE_TICKETS_CONFLICT');
    expect(response.body.error.details.tickets.map((t: { id: string }) => t.id).sort()).toEqual([keep.ticketId, duplicate.ticketId].sort());
    expect((await ticketRow(api.db.store, duplicate.ticketId)).contact_id).toBe(duplicate.contactId);
    expect((await api.call('GET', `/api/contacts/${duplicate.contactId}`, { cookie })).status).toBe(200);
  });

  it('a contact cannot be merged into itself (400)', async () => {
    const cookie = await agentCookie();
    const { contactId } = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const response = await api.call('POST', `/api/contacts/${contactId}/merge`, { cookie, body: { duplicateContactId: contactId } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('contacts and channels of another workspace answer 404 to every edit, and nothing changes', async () => {
    const theirs = await customerWroteIn(api.world, api.world.channels.whatsapp);
    const other = await buildWorld(api.db.store);
    const cookie = await api.signIn((await api.addUser('agent', other)).email);
    const mine = await customerWroteIn(other, other.channels.whatsapp);
    const attempts = [
      api.call('PATCH', `/api/contacts/${theirs.contactId}`, { cookie, body: { name: 'Hijacked' } }),
      api.call('POST', `/api/contacts/${theirs.contactId}/addresses`, { cookie, body: { channelId: other.channels.email.id, address: newAddress('email') } }),
      api.call('POST', `/api/contacts/${mine.contactId}/addresses`, { cookie, body: { channelId: api.world.channels.email.id, address: newAddress('email') } }),
      api.call('POST', `/api/contacts/${mine.contactId}/merge`, { cookie, body: { duplicateContactId: theirs.contactId } }),
      api.call('POST', '/api/contacts', { cookie, body: { name: 'X', addresses: [{ channelId: api.world.channels.email.id, address: newAddress('email') }] } }),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(404);
    const untouched = await api.db.store.db.selectFrom('contacts').select('name').where('id', '=', theirs.contactId).executeTakeFirstOrThrow();
    expect(untouched.name).toBe('Customer');
    expect((await ticketRow(api.db.store, theirs.ticketId)).contact_id).toBe(theirs.contactId);
  });
});
