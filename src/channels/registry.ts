// The one map from a channel kind to its adapter. Adding a channel is its folder plus one line here;
// everything else (server, HTTP app, jobs, inbound core) loops over this list.
import type { ChannelKind, ReplyPolicy } from '../domain/reply-policy.js';
import type { ChannelAdapter } from './adapter.js';
import { emailAdapter } from './email/adapter.js';
import { instagramAdapter } from './instagram/adapter.js';
import type { ChannelRules, ChannelSetup, TemplateSource } from './types.js';
import { whatsappAdapter } from './whatsapp/adapter.js';

const ADAPTERS: Record<ChannelKind, ChannelAdapter> = {
  whatsapp: whatsappAdapter,
  instagram: instagramAdapter,
  email: emailAdapter,
};

/** Every channel adapter, in a fixed order. */
export const channelAdapters: readonly ChannelAdapter[] = Object.values(ADAPTERS);

/** The adapter of one channel kind. */
export function channelAdapter(kind: ChannelKind): ChannelAdapter {
  return ADAPTERS[kind];
}

/** The adapter whose stored deliveries carry this source name, if any. */
export function adapterForSource(source: string): ChannelAdapter | undefined {
  return channelAdapters.find((adapter) => adapter.sources.includes(source));
}

/** The rules of one channel kind. */
export function channelRules(kind: ChannelKind): ChannelRules {
  return ADAPTERS[kind].rules;
}

/** The reply policy of one channel kind. */
export function replyPolicyFor(kind: ChannelKind): ReplyPolicy {
  return ADAPTERS[kind].rules.replyPolicy;
}

/** What connecting a channel of one kind takes. */
export function channelSetup(kind: ChannelKind): ChannelSetup {
  return ADAPTERS[kind].setup;
}

/** Where a channel kind's templates are synced from; null for kinds without templates. */
export function templateSourceFor(kind: ChannelKind): TemplateSource | null {
  return ADAPTERS[kind].templateSource ?? null;
}
