// Small builders for the data behaviour tests need.
import { randomBytes } from 'node:crypto';
import type { InboundMessage } from '../../src/channels/types.js';
import type { ChannelRow } from '../../src/db/schema.js';
import type { Store } from '../../src/db/store.js';
import type { Clock } from '../../src/domain/clock.js';
import type { ChannelKind } from '../../src/domain/reply-policy.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { createDeps, type Deps } from '../../src/modules/deps.js';
import { ingestInbound } from '../../src/modules/messages/ingest-inbound.js';
import type { UserActor } from '../../src/domain/actor.js';
import { insertUser } from '../../src/modules/users/user.repo.js';
import { insertWorkspace } from '../../src/modules/workspaces/workspace.repo.js';
import { stored } from './assertions.js';
import { TestClock } from './clock.js';
import { ticketRow } from './rows.js';

let sequence = 0;
// Unique across test processes without reading a clock: a random prefix per process and a counter.
const processPrefix = randomBytes(4).toString('hex');
const next = () => `${processPrefix}${(sequence++).toString(36)}`;

export interface World {
  deps: Deps;
  clock: TestClock;
  workspaceId: string;
  agent: UserActor;
  otherAgent: UserActor;
  channels: Record<ChannelKind, ChannelRow>;
}

export interface WorldOptions {
  /**
   * PRIVATE_OUTBOUND_URLS: tests allow private addresses, since their fake providers and receivers listen on
   * 127.0.0.1; false gives the production default (refuse).
   */
  allowPrivateOutboundUrls?: boolean;
}

/** A workspace with two agents and one channel of each kind. */
export async function buildWorld(store: Store, clock = new TestClock(), options: WorldOptions = {}): Promise<World> {
  const deps = createDeps(store, clock, { allowPrivateOutboundUrls: options.allowPrivateOutboundUrls ?? true });
  const now = clock.now();
  const workspace = await insertWorkspace(store.db, `Workspace ${next()}`, now);
  const user = async (name: string) => {
    const row = await insertUser(store.db, { workspaceId: workspace.id, email: `${name}-${next()}@example.test`, name, role: 'agent', passwordHash: 'unused' }, now);
    return { kind: 'user' as const, userId: row.id, workspaceId: workspace.id };
  };
  const channel = (kind: ChannelKind, externalId: string) => insertChannel(store.db, { workspaceId: workspace.id, kind, name: `${kind} ${externalId}`, externalId }, now);
  return {
    deps,
    clock,
    workspaceId: workspace.id,
    agent: await user('ana'),
    otherAgent: await user('bo'),
    channels: {
      whatsapp: await channel('whatsapp', `wa-${next()}`),
      instagram: await channel('instagram', `ig-${next()}`),
      email: await channel('email', `support-${next()}@brand.test`),
    },
  };
}

const SAMPLE_ADDRESS: Record<ChannelKind, () => string> = {
  whatsapp: () => `1555${String(sequence++).padStart(7, '0')}`,
  instagram: () => `17841${String(sequence++).padStart(10, '0')}`,
  email: () => `customer${sequence++}@example.test`,
};

/** A fresh address of a new customer on a kind of channel. */
export function newAddress(kind: ChannelKind): string {
  return SAMPLE_ADDRESS[kind]();
}

/** A customer's text message on a channel, sent now unless told otherwise. */
export function inbound(channel: ChannelRow, clock: Clock, overrides: Partial<InboundMessage> & { address?: string } = {}): InboundMessage {
  const { address, ...rest } = overrides;
  return {
    channelId: channel.id,
    providerMessageId: `pm-${next()}`,
    sentAt: clock.now(),
    contact: { address: address ?? newAddress(channel.kind), displayName: 'Customer' },
    kind: 'text',
    body: 'Hello, I need help',
    ...rest,
  };
}

/** A customer writes in on a channel of the world (sent now unless told otherwise); returns their ticket and contact. */
export async function customerWroteIn(world: World, channel: ChannelRow, options: { sentAt?: number; address?: string } = {}) {
  const address = options.address ?? newAddress(channel.kind);
  const result = stored(await ingestInbound(world.deps, inbound(channel, world.clock, { address, sentAt: options.sentAt ?? world.clock.now() })));
  const { contact_id: contactId } = await ticketRow(world.deps.store, result.ticketId);
  return { ticketId: result.ticketId, ticketNumber: result.ticketNumber, contactId, address };
}
