// Who really sent a mail, on both engines: a From that fails its domain's DMARC never writes into the
// customer's active ticket by sender match alone; it opens its own ticket marked "unverified sender" when
// the customer has none, threads only where it proves it holds our mail (a reply token), and is held for
// an admin otherwise (or always, in quarantine mode). Verified mail threads as before, showing the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DnsResolver } from '../../src/channels/adapter.js';
import { replyAddress } from '../../src/channels/email/threading-keys.js';
import { channelAdapter } from '../../src/channels/registry.js';
import type { ChannelRow } from '../../src/db/schema.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import type { DeliveryOutcome } from '../../src/modules/inbound/apply-inbound-events.js';
import { decideHeldMessage } from '../../src/modules/inbound/decide-held.js';
import { deliveryHandler } from '../../src/modules/inbound/handlers.js';
import { listHeld } from '../../src/modules/inbound/held-inbound.repo.js';
import { insertInboundPayload } from '../../src/modules/inbound/inbound-payload.repo.js';
import { rawMail } from '../support/email.js';
import { dkimRecordName, dkimSigned, dnsZone, signingKey, type SigningKey } from '../support/mail-authentication.js';
import { messagesOf, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const SUPPORT = 'support@support.example.org';
const JANE = 'Jane Customer <jane@customer.example>';
const logger = createLogger('silent');

let customerKey: SigningKey;
let forgerKey: SigningKey;
let internet: DnsResolver;

beforeAll(() => {
  customerKey = signingKey('customer.example', 'mail');
  forgerKey = signingKey('forger.example', 'x');
  internet = dnsZone({
    [dkimRecordName(customerKey)]: customerKey.dnsRecord,
    [dkimRecordName(forgerKey)]: forgerKey.dnsRecord,
    'TXT _dmarc.customer.example': 'v=DMARC1; p=reject',
  });
});

describe.each(ENGINES)('checking who sent a mail (%s)', (engine) => {
  const ctx = useWorld(engine);
  let dir = '';
  let storage: LocalDiskAttachmentStorage;
  let channel: ChannelRow;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-sender-'));
    storage = new LocalDiskAttachmentStorage(dir);
    channel = await connect({});
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function connect(settings: Record<string, unknown>) {
    return insertChannel(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, kind: 'email', name: 'Support', externalId: SUPPORT, config: { address: SUPPORT, ...settings } }, ctx.world.clock.now());
  }

  async function setMode(senderVerification: string) {
    await ctx.db.store.db.updateTable('channels').set({ config: JSON.stringify({ address: SUPPORT, senderVerification }) }).where('id', '=', channel.id).execute();
    channel = { ...channel, config: JSON.stringify({ address: SUPPORT, senderVerification }) };
  }

  /** Stores the mail as the HTTP intake does, and reads it as the inbound job does; what became of it. */
  async function receive(raw: Buffer): Promise<DeliveryOutcome> {
    const now = ctx.world.clock.now();
    const id = await ctx.db.store.unit((trx) => insertInboundPayload(trx, { source: 'email-http', channelId: channel.id, raw }, now));
    return readAgain(id, raw);
  }

  async function readAgain(id: string, raw?: Buffer): Promise<DeliveryOutcome> {
    const row = await ctx.db.store.db.selectFrom('inbound_payloads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const read = deliveryHandler(channelAdapter('email'), { logger, attachments: storage, lookupsAsked: new Map(), resolveDns: internet });
    const outcomes = await read(ctx.world.deps, { ...row, raw: raw ?? row.raw });
    expect(outcomes).toHaveLength(1);
    return outcomes[0]!;
  }

  const genuine = (parts: { subject?: string; body?: string; to?: string } = {}) => dkimSigned(rawMail({ from: JANE, to: parts.to ?? SUPPORT, subject: parts.subject ?? 'Order A-1001', ...(parts.body ? { body: parts.body } : {}) }), customerKey, ctx.world.clock.now());
  const forged = (parts: { subject?: string; to?: string } = {}) =>
    dkimSigned(rawMail({ from: JANE, to: parts.to ?? SUPPORT, subject: parts.subject ?? 'Re: Order A-1001', body: 'Please send the refund to my new bank account.' }), forgerKey, ctx.world.clock.now());

  function stored(outcome: DeliveryOutcome) {
    if (outcome.outcome !== 'stored') throw new Error(`expected the mail to be stored, got ${JSON.stringify(outcome)}`);
    return outcome;
  }

  const senderCheckOf = async (ticketId: string) => (await messagesOf(ctx.db.store, ticketId)).map((m) => JSON.parse(m.data!).senderCheck);

  it('genuine mail from the customer threads by sender into their active ticket and shows it was verified', async () => {
    const first = stored(await receive(await genuine()));
    const second = stored(await receive(await genuine({ subject: 'Another question', body: 'And the invoice?' })));
    expect(second.ticketId).toBe(first.ticketId);
    const [, check] = await senderCheckOf(first.ticketId);
    expect(check).toMatchObject({ authenticity: 'verified', unverified: false, dmarc: 'pass', dkimDomain: 'customer.example' });
    expect(check.summary).toContain('DMARC passed for customer.example');
  });

  it("a forged From never writes into the customer's active ticket: it is held for an admin, and released it reaches the ticket marked", async () => {
    const first = stored(await receive(await genuine()));
    const outcome = await receive(await forged());
    expect(outcome).toEqual({ outcome: 'held', reason: 'unverified_sender' });
    expect(await messagesOf(ctx.db.store, first.ticketId)).toHaveLength(1);
    const [held] = await listHeld(ctx.db.store.db, ctx.world.workspaceId, { limit: 10 });
    expect(held).toMatchObject({ address: 'jane@customer.example', reason: 'unverified_sender', subject: 'Re: Order A-1001', decision: null, verdict: { authenticity: 'unverified', dmarc: 'fail' } });
    // Read again (a redelivery, a retry): still held, recorded once.
    expect(await readAgain(held!.payloadId)).toEqual({ outcome: 'held', reason: 'unverified_sender' });
    expect(await listHeld(ctx.db.store.db, ctx.world.workspaceId, { limit: 10 })).toHaveLength(1);

    await decideHeldMessage(ctx.world.deps, { workspaceId: ctx.world.workspaceId, userId: ctx.world.agent.userId }, held!.id, 'released');
    expect(stored(await readAgain(held!.payloadId)).ticketId).toBe(first.ticketId);
    const [, released] = await senderCheckOf(first.ticketId);
    expect(released).toMatchObject({ authenticity: 'unverified', unverified: true, released: true });
    await expect(decideHeldMessage(ctx.world.deps, { workspaceId: ctx.world.workspaceId, userId: ctx.world.agent.userId }, held!.id, 'discarded')).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
  });

  it('a forged From for a customer without an active ticket opens a ticket of its own, marked unverified', async () => {
    const outcome = stored(await receive(await forged()));
    expect(outcome.ticketCreated).toBe(true);
    const [check] = await senderCheckOf(outcome.ticketId);
    expect(check).toMatchObject({ authenticity: 'unverified', unverified: true });
    expect(check.summary).toContain('DMARC failed for customer.example');
  });

  it("an unverified mail sent to our reply address (only a recipient of our mail has it) threads into that ticket, marked", async () => {
    const first = stored(await receive(await genuine()));
    const ticket = await ticketRow(ctx.db.store, first.ticketId);
    const outcome = stored(await receive(await forged({ to: replyAddress(SUPPORT, ticket) })));
    expect(outcome.ticketId).toBe(first.ticketId);
    expect((await senderCheckOf(first.ticketId))[1]).toMatchObject({ unverified: true });
  });

  it('a subject naming the ticket proves nothing: the forged mail is still held', async () => {
    const first = stored(await receive(await genuine()));
    const { number } = await ticketRow(ctx.db.store, first.ticketId);
    expect(await receive(await forged({ subject: `Re: [#${number}] Order A-1001` }))).toEqual({ outcome: 'held', reason: 'unverified_sender' });
  });

  it('in quarantine mode every unverified mail is held, and a discarded one never reaches a ticket', async () => {
    await setMode('quarantine');
    expect(await receive(await forged())).toEqual({ outcome: 'held', reason: 'unverified_sender' });
    const [held] = await listHeld(ctx.db.store.db, ctx.world.workspaceId, { limit: 10 });
    await decideHeldMessage(ctx.world.deps, { workspaceId: ctx.world.workspaceId, userId: ctx.world.agent.userId }, held!.id, 'discarded');
    expect(await readAgain(held!.payloadId)).toEqual({ outcome: 'held', reason: 'discarded' });
    expect(await ctx.db.store.db.selectFrom('tickets').select('id').where('channel_id', '=', channel.id).execute()).toEqual([]);
  });

  it('with sender verification off, the From is trusted as it always was', async () => {
    await setMode('off');
    const first = stored(await receive(await genuine()));
    const forgedMail = stored(await receive(await forged()));
    expect(forgedMail.ticketId).toBe(first.ticketId);
    expect((await senderCheckOf(first.ticketId))[1]).toBeUndefined();
  });

  it("mail read from a mailbox takes the receiving server's Authentication-Results instead of checking again", async () => {
    await setMode('mark');
    await ctx.db.store.db.updateTable('channels').set({ config: JSON.stringify({ address: SUPPORT, imap: { host: 'imap.example.org', port: 993, secure: true, username: 'support', mailbox: 'INBOX', trustedAuthservIds: ['mx.support.example.org'] } }) }).where('id', '=', channel.id).execute();
    const first = stored(await receive(await genuine()));
    const reported = Buffer.concat([Buffer.from('Authentication-Results: mx.support.example.org; spf=fail smtp.mailfrom=forger.example; dkim=pass header.d=forger.example; dmarc=fail header.from=customer.example\r\n'), rawMail({ from: JANE, to: SUPPORT, subject: 'Hello again' })]);
    const id = await ctx.db.store.unit((trx) => insertInboundPayload(trx, { source: 'email-imap', channelId: channel.id, raw: reported }, ctx.world.clock.now()));
    expect(await readAgain(id)).toEqual({ outcome: 'held', reason: 'unverified_sender' });
    expect(await messagesOf(ctx.db.store, first.ticketId)).toHaveLength(1);
  });
});
