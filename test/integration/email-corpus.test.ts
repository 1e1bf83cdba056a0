// A corpus of real-world-shaped mails (test/fixtures/email-corpus/: mail clients, charsets, HTML-only
// replies, mbox exports, forwards, inline images, ticketing-system notifications, auto-replies, legacy
// character sets no header names (GBK, Shift_JIS, GB2312 in headers, bodies and file names), a mail
// without From), each received as the HTTP intake stores it and read by the inbound job, then compared
// field by field with what an agent should see. The counts are printed; every mail must match.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelAdapter } from '../../src/channels/registry.js';
import type { ChannelRow } from '../../src/db/schema.js';
import { createLogger } from '../../src/lib/logger.js';
import { LocalDiskAttachmentStorage } from '../../src/modules/attachments/local-disk-storage.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import type { DeliveryOutcome } from '../../src/modules/inbound/apply-inbound-events.js';
import { deliveryHandler } from '../../src/modules/inbound/handlers.js';
import { insertInboundPayload } from '../../src/modules/inbound/inbound-payload.repo.js';
import { dnsZone } from '../support/mail-authentication.js';
import { ENGINES } from '../support/stores.js';
import { useWorld } from '../support/world.js';

const CORPUS = path.resolve(import.meta.dirname, '../fixtures/email-corpus');
const SUPPORT = 'support@brand.example';
const logger = createLogger('silent');

interface Expected {
  file: string;
  /** `stored`, or `held:<reason>`. */
  outcome: string;
  sender: string;
  /** The contact's name, as the From header gives it. */
  name?: string;
  subject: string;
  body?: string;
  bodyExcludes?: string;
  attachments?: string[];
}

interface Seen {
  outcome: string;
  sender: string | null;
  name: string | null;
  subject: string | null;
  body: string | null;
  attachments: string[];
}

const expectations = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as Expected[];

/** The fields of one mail that differ from what was expected. */
function differences(expected: Expected, seen: Seen): string[] {
  const problems: string[] = [];
  if (seen.outcome !== expected.outcome) problems.push(`outcome ${seen.outcome}, expected ${expected.outcome}`);
  if (seen.sender !== expected.sender) problems.push(`sender ${seen.sender}, expected ${expected.sender}`);
  if (expected.name !== undefined && seen.name !== expected.name) problems.push(`name ${JSON.stringify(seen.name)}, expected ${JSON.stringify(expected.name)}`);
  if (seen.subject !== expected.subject) problems.push(`subject ${JSON.stringify(seen.subject)}, expected ${JSON.stringify(expected.subject)}`);
  if (expected.body !== undefined && !(seen.body ?? '').includes(expected.body)) problems.push(`body ${JSON.stringify(seen.body)} lacks ${JSON.stringify(expected.body)}`);
  if (expected.bodyExcludes !== undefined && (seen.body ?? '').includes(expected.bodyExcludes)) problems.push(`body still holds ${JSON.stringify(expected.bodyExcludes)}`);
  if (expected.attachments !== undefined && JSON.stringify([...seen.attachments].sort()) !== JSON.stringify([...expected.attachments].sort())) {
    problems.push(`attachments ${JSON.stringify(seen.attachments)}, expected ${JSON.stringify(expected.attachments)}`);
  }
  return problems;
}

describe.each(ENGINES)('the real-world mail corpus (%s)', (engine) => {
  const ctx = useWorld(engine);
  let dir = '';
  let storage: LocalDiskAttachmentStorage;
  let channel: ChannelRow;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadbox-corpus-'));
    storage = new LocalDiskAttachmentStorage(dir);
    channel = await insertChannel(ctx.db.store.db, { workspaceId: ctx.world.workspaceId, kind: 'email', name: 'Support', externalId: SUPPORT, config: { address: SUPPORT } }, ctx.world.clock.now());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Stores the mail as the HTTP intake does, reads it as the inbound job does, and looks at what an agent would see. */
  async function receive(raw: Buffer): Promise<Seen> {
    const now = ctx.world.clock.now();
    const id = await ctx.db.store.unit((trx) => insertInboundPayload(trx, { source: 'email-http', channelId: channel.id, raw }, now));
    const row = await ctx.db.store.db.selectFrom('inbound_payloads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    // No DNS here: every sender is "unknown" to the sender check, so nothing is held for it.
    const read = deliveryHandler(channelAdapter('email'), { logger, attachments: storage, lookupsAsked: new Map(), resolveDns: dnsZone({}) });
    const outcomes = await read(ctx.world.deps, row);
    return seenOf(outcomes[0]);
  }

  async function seenOf(outcome: DeliveryOutcome | undefined): Promise<Seen> {
    if (outcome?.outcome === 'stored') {
      const db = ctx.db.store.db;
      const message = await db.selectFrom('messages').selectAll().where('id', '=', outcome.messageId).executeTakeFirstOrThrow();
      const ticket = await db.selectFrom('tickets').select('contact_id').where('id', '=', outcome.ticketId).executeTakeFirstOrThrow();
      const identity = await db.selectFrom('contact_identities').select('address').where('contact_id', '=', ticket.contact_id).where('channel_id', '=', channel.id).executeTakeFirst();
      const contact = await db.selectFrom('contacts').select('name').where('id', '=', ticket.contact_id).executeTakeFirstOrThrow();
      const attachments = (JSON.parse(message.attachments ?? '[]') as { fileName: string | null }[]).map((a) => a.fileName ?? '');
      return { outcome: 'stored', sender: identity?.address ?? null, name: contact.name, subject: message.subject, body: message.body, attachments };
    }
    if (outcome?.outcome === 'held') {
      const held = await ctx.db.store.db.selectFrom('inbound_held').selectAll().where('channel_id', '=', channel.id).orderBy('received_at', 'desc').executeTakeFirst();
      return { outcome: `held:${outcome.reason}`, sender: held?.address ?? null, name: null, subject: held?.subject ?? null, body: null, attachments: [] };
    }
    return { outcome: outcome ? `${outcome.outcome}${'reason' in outcome ? `:${outcome.reason}` : ''}` : 'nothing', sender: null, name: null, subject: null, body: null, attachments: [] };
  }

  it(`every one of the ${expectations.length} mails reaches agents as its sender wrote it`, async () => {
    const report: { file: string; problems: string[] }[] = [];
    for (const expected of expectations) {
      const seen = await receive(fs.readFileSync(path.join(CORPUS, expected.file)));
      report.push({ file: expected.file, problems: differences(expected, seen) });
      ctx.world.clock.advance(60_000);
    }
    const matched = report.filter((r) => r.problems.length === 0).length;
    const missed = report.filter((r) => r.problems.some((p) => p.startsWith('outcome'))).length;
    console.log(`email corpus (${engine}): ${report.length} mails, ${matched} matched, ${report.length - matched - missed} partly, ${missed} missed`);
    expect(report.filter((r) => r.problems.length > 0).map((r) => `${r.file}: ${r.problems.join('; ')}`)).toEqual([]);
  });
});
