// A run that fails because the database went away gives back the leases it still holds once the
// database is back: the items are due at once, not a minute later when their leases end. A message
// already handed to the provider keeps its lease (only the provider knows whether it went out).
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelSender, SendResult } from '../../src/channels/types.js';
import { openStore, type Store } from '../../src/db/store.js';
import { createLogger } from '../../src/lib/logger.js';
import { createDeps, type Deps } from '../../src/modules/deps.js';
import { processInboundPayloads } from '../../src/modules/inbound/process-inbound.js';
import { insertInboundPayload } from '../../src/modules/inbound/inbound-payload.repo.js';
import { queueOutbound } from '../../src/modules/messages/outgoing.js';
import { deliverDueMessages, type Senders } from '../../src/modules/outbox/deliver-messages.js';
import { customerWroteIn, type World } from '../support/factories.js';
import { ticketRow } from '../support/rows.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { useWorld } from '../support/world.js';

const BACK_AFTER_MS = 1_000;

describe('leases of a run the database failed under (postgres, behind a TCP proxy)', () => {
  const ctx = useWorld('postgres');
  let proxy: TcpProxy;
  let proxied: Store | undefined;
  afterEach(async () => {
    await proxied?.close();
    await proxy?.close();
  });

  /** Deps whose store reaches the test database through the proxy; `databaseGoesAway` cuts it for a moment. */
  async function depsBehindProxy(): Promise<{ deps: Deps; databaseGoesAway: () => void }> {
    const target = new URL(ctx.db.databaseUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(ctx.db.databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    proxied = openStore({ databaseUrl: url.toString(), poolSize: 2, connectTimeoutMs: 300 });
    const databaseGoesAway = () => {
      proxy.setMode('refuse');
      proxy.cutAll();
      setTimeout(() => proxy.setMode('forward'), BACK_AFTER_MS);
    };
    return { deps: createDeps(proxied, ctx.world.clock, { allowPrivateOutboundUrls: true }), databaseGoesAway };
  }

  const leaseOf = (table: 'outbox' | 'inbound_payloads', id: string) => ctx.db.store.db.selectFrom(table).select(['locked_until', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();

  async function queuedReplies(world: World, count: number): Promise<string[]> {
    const { ticketId } = await customerWroteIn(world, world.channels.whatsapp);
    const ticket = await ticketRow(world.deps.store, ticketId);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const message = await world.deps.store.unit((trx) => queueOutbound(trx, { ticket, authorUserId: world.agent.userId, authorKind: 'agent', content: { kind: 'text', body: `Reply ${i}` }, tag: null, now: world.clock.now() }));
      ids.push(message.id);
    }
    return ids;
  }

  it('replies the relay had not yet handed to the provider are due again as soon as the database is back', async () => {
    const [first, second, third] = await queuedReplies(ctx.world, 3);
    const { deps, databaseGoesAway } = await depsBehindProxy();
    const sent: string[] = [];
    let wentAway = false;
    const provider = {
      async send(send): Promise<SendResult> {
        sent.push(send.messageId);
        return { ok: true, providerMessageId: `wamid.${send.messageId}` };
      },
      // Asked before each send: the database goes away just before the second reply is sent.
      sendRatePerSecond: () => {
        if (sent.length === 1 && !wentAway) {
          wentAway = true;
          databaseGoesAway();
        }
        return null;
      },
    } as ChannelSender;
    const senders: Senders = { byKind: { whatsapp: provider }, sandbox: provider };

    await expect(deliverDueMessages(deps, senders)).rejects.toThrow();

    expect(sent).toEqual([first]);
    const [firstItem, secondItem, thirdItem] = await Promise.all([first, second, third].map((id) => ctx.db.store.db.selectFrom('outbox').select(['id', 'done_at', 'locked_until']).where('message_id', '=', id!).executeTakeFirstOrThrow()));
    expect(firstItem!.done_at).not.toBeNull();
    expect(secondItem).toMatchObject({ done_at: null, locked_until: null });
    expect(thirdItem).toMatchObject({ done_at: null, locked_until: null });
    // Without the clock moving past any lease, the next run sends both.
    expect(await deliverDueMessages(deps, senders)).toBe(2);
    expect(sent).toEqual([first, second, third]);
  });

  it('deliveries a processing run had not finished are due again as soon as the database is back', async () => {
    const now = ctx.world.clock.now();
    const ids = await ctx.db.store.unit(async (trx) => [
      await insertInboundPayload(trx, { source: 'test-source', raw: Buffer.from('one') }, now),
      await insertInboundPayload(trx, { source: 'test-source', raw: Buffer.from('two') }, now),
      await insertInboundPayload(trx, { source: 'test-source', raw: Buffer.from('three') }, now),
    ]);
    const { deps, databaseGoesAway } = await depsBehindProxy();
    const read: string[] = [];
    const handlers = {
      'test-source': async (_deps: Deps, payload: { id: string }) => {
        read.push(payload.id);
        // The database goes away while the first delivery is being read.
        if (read.length === 1) databaseGoesAway();
        await new Promise((resolve) => setTimeout(resolve, 50));
      },
    };

    await expect(processInboundPayloads(deps, { handlers }, createLogger('silent'))).rejects.toThrow();

    for (const id of ids) expect(await leaseOf('inbound_payloads', id)).toMatchObject({ locked_until: null, attempts: expect.any(Number) });
    read.length = 0;
    expect(await processInboundPayloads(deps, { handlers: { 'test-source': async (_deps, payload) => void read.push(payload.id) } }, createLogger('silent'))).toBe(3);
    expect(read.sort()).toEqual([...ids].sort());
  });
});
