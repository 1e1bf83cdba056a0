// The one place that maps a channel kind to its rules; nothing else switches on the kind.
import type { ChannelKind, ReplyPolicy } from '../domain/reply-policy.js';
import { normalizeEmailAddress } from './email/address.js';
import { emailPolicy } from './email/policy.js';
import { normalizeInstagramAddress } from './instagram/address.js';
import { instagramPolicy } from './instagram/policy.js';
import type { ChannelRules } from './types.js';
import { normalizeWhatsappAddress } from './whatsapp/address.js';
import { whatsappPolicy } from './whatsapp/policy.js';

const RULES: Record<ChannelKind, ChannelRules> = {
  whatsapp: { kind: 'whatsapp', replyPolicy: whatsappPolicy, normalizeAddress: normalizeWhatsappAddress, addressCarriesAcrossChannels: true },
  instagram: { kind: 'instagram', replyPolicy: instagramPolicy, normalizeAddress: normalizeInstagramAddress, addressCarriesAcrossChannels: false },
  email: { kind: 'email', replyPolicy: emailPolicy, normalizeAddress: normalizeEmailAddress, addressCarriesAcrossChannels: true },
};

/** The rules of one channel kind. */
export function channelRules(kind: ChannelKind): ChannelRules {
  return RULES[kind];
}

/** The reply policy of one channel kind. */
export function replyPolicyFor(kind: ChannelKind): ReplyPolicy {
  return RULES[kind].replyPolicy;
}
