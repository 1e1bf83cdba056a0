// The outbox sends each message once even when the database blinks after the provider took it, and
// when a run's lease runs out while earlier sends were slow and another run takes the message over.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelSender, OutboundSend, SendResult } from '../../src/channels/types.js';
import { openStore, type Store } from '../../src/db/store.js';
import { MINUTE } from '../../src/domain/clock.js';
import { createDeps } from '../../src/modules/deps.js';
import { queueOutbound } from '../../src/modules/messages/outgoing.js';
import { deliverDueMessages, type Senders } from '../../src/modules/outbox/deliver-messages.js';
import { customerWroteIn, type World } from '../support/factories.js';
import { messageRow, ticketRow } from '../support/rows.js';
import { ENGINES } from '../support/stores.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { useWorld } from '../support/world.js';

/** A provider that takes every message; `beforeAnswer` runs while the message is "out". */
function takingSender(beforeAnswer: (send: OutboundSend) => Promise<void> | void = () => undefined) {
  const sent: string[] = [];
  const sender: ChannelSender = {
    async send(send): Promise<SendResult> {
      sent.push(send.messageId);
      await beforeAnswer(send);
      return { ok: true, providerMessageId: `wamid.${send.messageId}` };
    },
  } as ChannelSender;
  const senders: Senders = { byKind: { whatsapp: sender }, sandbox: sender };
  return { sent, senders };
}

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

describe.each(ENGINES)('outbox leases (%s)', (engine) => {
  const ctx = useWorld(engine);

  it('a message whose lease ran out while earlier sends were slow, and that another run took over, is not sent again by the run that lost it', async () => {
    const [first, second] = await queuedReplies(ctx.world, 2);
    let release!: () => void;
    const firstOut = new Promise<void>((resolve) => (release = resolve));
    const slow = takingSender((send) => (send.messageId === first ? firstOut : undefined));
    // Run A leases both and hangs on the first send.
    const runA = deliverDueMessages(ctx.world.deps, slow.senders);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slow.sent).toEqual([first]);
    // Past A's lease another run takes both over (the first one's send is still out: its outcome is unknown).
    ctx.world.clock.advance(2 * MINUTE);
    const quick = takingSender();
    expect(await deliverDueMessages(ctx.world.deps, quick.senders)).toBe(2);
    expect(quick.sent.sort()).toEqual([first, second].sort());
    release();
    await runA;
    expect(slow.sent).toEqual([first]);
    expect((await messageRow(ctx.db.store, second!)).status).toBe('sent');
  });
});

describe('the database away while a send is out (postgres, behind a TCP proxy)', () => {
  const ctx = useWorld('postgres');
  let proxy: TcpProxy | undefined;
  let proxied: Store | undefined;
  afterEach(async () => {
    await proxied?.close();
    await proxy?.close();
  });

  it('a message the provider took while the database went away is recorded once it is back, and never sent twice', async () => {
    const [reply] = await queuedReplies(ctx.world, 1);
    const target = new URL(ctx.db.databaseUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(ctx.db.databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    proxied = openStore({ databaseUrl: url.toString(), poolSize: 2, connectTimeoutMs: 500 });
    const deps = createDeps(proxied, ctx.world.clock, { allowPrivateOutboundUrls: true });
    const provider = takingSender(() => {
      // The database restarts just as the provider answers.
      proxy!.setMode('refuse');
      setTimeout(() => proxy!.setMode('forward'), 1_500);
    });

    expect(await deliverDueMessages(deps, provider.senders)).toBe(1);
    expect(await messageRow(ctx.db.store, reply!)).toMatchObject({ status: 'sent', provider_message_id: `wamid.${reply}` });
    ctx.world.clock.advance(5 * MINUTE);
    expect(await deliverDueMessages(deps, provider.senders)).toBe(0);
    expect(provider.sent).toEqual([reply]);
  });
});
