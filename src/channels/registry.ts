// The one place that maps a channel kind to its rules; nothing else switches on the kind.
import type { ChannelKind, ReplyPolicy } from '../domain/reply-policy.js';
import { normalizeEmailAddress } from './email/address.js';
import { emailPolicy, emailTemplatesUnsupported } from './email/policy.js';
import { normalizeInstagramAddress } from './instagram/address.js';
import { instagramCommentReply, instagramPolicy, instagramTemplatesUnsupported, instagramUploadsUnsupported } from './instagram/policy.js';
import type { ChannelRules, ChannelSetup, TemplateSource } from './types.js';
import { emailSetup } from './email/setup.js';
import { instagramSetup } from './instagram/setup.js';
import { whatsappSetup } from './whatsapp/setup.js';
import { normalizeWhatsappAddress } from './whatsapp/address.js';
import { whatsappOneFilePerMessage, whatsappPolicy } from './whatsapp/policy.js';
import { describeWhatsappTemplate } from './whatsapp/templates.js';
import { prepareWhatsappTemplate } from './whatsapp/template-parameters.js';
import { whatsappTemplateSource } from './whatsapp/template-source.js';

const RULES: Record<ChannelKind, ChannelRules> = {
  whatsapp: { kind: 'whatsapp', replyPolicy: whatsappPolicy, normalizeAddress: normalizeWhatsappAddress, addressCarriesAcrossChannels: true, uploadsPerMessage: { max: 1, refusal: whatsappOneFilePerMessage }, templates: { describe: describeWhatsappTemplate, prepare: prepareWhatsappTemplate } },
  instagram: { kind: 'instagram', replyPolicy: instagramPolicy, normalizeAddress: normalizeInstagramAddress, addressCarriesAcrossChannels: false, commentReply: instagramCommentReply, uploadsPerMessage: { max: 0, refusal: instagramUploadsUnsupported }, templates: { refusal: instagramTemplatesUnsupported } },
  email: { kind: 'email', replyPolicy: emailPolicy, normalizeAddress: normalizeEmailAddress, addressCarriesAcrossChannels: true, templates: { refusal: emailTemplatesUnsupported } },
};

/** The rules of one channel kind. */
export function channelRules(kind: ChannelKind): ChannelRules {
  return RULES[kind];
}

/** The reply policy of one channel kind. */
export function replyPolicyFor(kind: ChannelKind): ReplyPolicy {
  return RULES[kind].replyPolicy;
}

const SETUPS: Record<ChannelKind, ChannelSetup> = { whatsapp: whatsappSetup, instagram: instagramSetup, email: emailSetup };

/** What connecting a channel of one kind takes. */
export function channelSetup(kind: ChannelKind): ChannelSetup {
  return SETUPS[kind];
}

const TEMPLATE_SOURCES: Partial<Record<ChannelKind, TemplateSource>> = { whatsapp: whatsappTemplateSource };

/** Where a channel kind's templates are synced from; null for kinds without templates. */
export function templateSourceFor(kind: ChannelKind): TemplateSource | null {
  return TEMPLATE_SOURCES[kind] ?? null;
}
