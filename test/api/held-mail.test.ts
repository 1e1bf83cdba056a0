// Mail held because its sender could not be verified, over HTTP: admins list it, release it into its
// ticket or discard it, once; agents and integrations cannot decide; another workspace's is not found.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DnsResolver } from '../../src/channels/adapter.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { useApi } from '../support/api.js';
import { rawMail } from '../support/email.js';
import { dkimRecordName, dkimSigned, dnsZone, signingKey, type SigningKey } from '../support/mail-authentication.js';
import { ENGINES } from '../support/stores.js';

const logger = createLogger('silent');
let forgerKey: SigningKey;
let internet: DnsResolver;

beforeAll(() => {
  forgerKey = signingKey('forger.example', 'x');
  internet = dnsZone({ [dkimRecordName(forgerKey)]: forgerKey.dnsRecord, 'TXT _dmarc.customer.example': 'v=DMARC1; p=reject' });
});

describe.each(ENGINES)('mail held for an unverified sender (%s)', (engine) => {
  const api = useApi(engine);

  const processInbound = () => new InboundProcessor(api.world.deps, inboundHandlers(logger, new LocalDiskAttachmentStorage(api.attachmentsDir), { resolveDns: internet }), logger).run();
  const deliver = async (admin: string, raw: Buffer) => {
    const response = await api.call('POST', `/api/channels/${api.world.channels.email.id}/email/inbound`, { cookie: admin, body: raw.toString('latin1'), headers: { 'content-type': 'message/rfc822' } });
    expect(response.status).toBe(202);
    await processInbound();
  };
  const mail = (body: string) => rawMail({ from: 'Jane <jane@customer.example>', to: api.world.channels.email.external_id, subject: 'My order', body });

  /** Jane has an active ticket; a mail forged in her name arrives and is held. */
  async function forgedMailHeld(admin: string) {
    await api.db.store.db.updateTable('channels').set({ config: JSON.stringify({ senderVerification: 'mark' }) }).where('id', '=', api.world.channels.email.id).execute();
    // Her own first mail: unsigned, and her domain's policy is p=reject, so it is unverified too;
    // with no active ticket yet, it opens one marked (what it may do without writing into a conversation).
    await deliver(admin, mail('Where is my order?'));
    await deliver(admin, await dkimSigned(mail('Send the refund to my new account.'), forgerKey, api.world.clock.now()));
    const held = await api.call('GET', '/api/inbound-payloads?state=held', { cookie: admin });
    expect(held.status).toBe(200);
    expect(held.body.items).toHaveLength(1);
    return held.body.items[0];
  }

  it('an admin sees the held mail with the verdict, releases it once, and it reaches the ticket marked', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    const held = await forgedMailHeld(admin);
    expect(held).toMatchObject({ address: 'jane@customer.example', subject: 'My order', reason: 'unverified_sender', decision: null, verdict: { authenticity: 'unverified', dmarc: 'fail' } });
    const released = await api.call('POST', `/api/inbound-held/${held.id}/release`, { cookie: admin });
    expect(released.status).toBe(200);
    expect(released.body.held).toMatchObject({ id: held.id, decision: 'released', decidedAt: expect.any(Number) });
    expect((await api.call('POST', `/api/inbound-held/${held.id}/discard`, { cookie: admin })).body.error.code).toBe('ALREADY_DECIDED');
    await processInbound();
    const tickets = await api.call('GET', '/api/tickets', { cookie: admin });
    expect(tickets.body.tickets).toHaveLength(1);
    const detail = await api.call('GET', `/api/tickets/${tickets.body.tickets[0].id}`, { cookie: admin });
    expect(detail.body.messages.map((m: { body: string; data: { senderCheck?: { released?: boolean } } }) => [m.body, m.data.senderCheck?.released ?? false])).toEqual([
      ['Where is my order?', false],
      ['Send the refund to my new account.', true],
    ]);
  });

  it('a discarded mail never reaches a ticket', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    const held = await forgedMailHeld(admin);
    expect((await api.call('POST', `/api/inbound-held/${held.id}/discard`, { cookie: admin })).body.held).toMatchObject({ decision: 'discarded' });
    await processInbound();
    const tickets = await api.call('GET', '/api/tickets', { cookie: admin });
    const detail = await api.call('GET', `/api/tickets/${tickets.body.tickets[0].id}`, { cookie: admin });
    expect(detail.body.messages).toHaveLength(1);
  });

  it('agents get 403, and another workspace cannot see or decide it (404)', async () => {
    const admin = await api.signIn((await api.addUser('admin')).email);
    const held = await forgedMailHeld(admin);
    const agent = await api.signIn((await api.addUser('agent')).email);
    expect((await api.call('GET', '/api/inbound-payloads?state=held', { cookie: agent })).status).toBe(403);
    expect((await api.call('POST', `/api/inbound-held/${held.id}/release`, { cookie: agent })).status).toBe(403);
    const other = await insertWorkspace(api.db.store.db, 'Other', api.world.clock.now());
    const stranger = await api.signIn((await api.addUser('admin', { ...api.world, workspaceId: other.id })).email);
    expect((await api.call('GET', '/api/inbound-payloads?state=held', { cookie: stranger })).body.items).toEqual([]);
    const refused = await api.call('POST', `/api/inbound-held/${held.id}/release`, { cookie: stranger });
    expect([refused.status, refused.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });
});
