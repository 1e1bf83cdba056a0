// WhatsApp (Cloud API) as one channel adapter: everything the engine needs from the provider.
import { parseStorableJson } from '../../domain/storable-text.js';
import type { ChannelAdapter } from '../adapter.js';
import type { AccountEvents } from '../inbound-events.js';
import { noEvents } from '../inbound-events.js';
import { metaWebhook } from '../meta/webhook.js';
import { normalizeWhatsappAddress } from './address.js';
import { readWhatsappPayload, whatsappAccountsOf, type WhatsappChange } from './inbound.js';
import { whatsappMediaFetcher } from './media.js';
import { whatsappOneFilePerMessage, whatsappPolicy } from './policy.js';
import { startWhatsappSandbox } from './sandbox.js';
import { whatsappSender } from './sender.js';
import { whatsappSetup } from './setup.js';
import { prepareWhatsappTemplate } from './template-parameters.js';
import { whatsappTemplateSource } from './template-source.js';
import { describeWhatsappTemplate } from './templates.js';

function eventsOf(change: WhatsappChange): AccountEvents {
  return { ...noEvents(change.phoneNumberId), messages: change.messages, receipts: change.statuses, reactions: change.reactions, errors: change.errors, unreadable: change.unreadable };
}

export const whatsappAdapter: ChannelAdapter = {
  kind: 'whatsapp',
  rules: {
    kind: 'whatsapp',
    replyPolicy: whatsappPolicy,
    normalizeAddress: normalizeWhatsappAddress,
    addressCarriesAcrossChannels: true,
    uploadsPerMessage: { max: 1, refusal: whatsappOneFilePerMessage },
    templates: { describe: describeWhatsappTemplate, prepare: prepareWhatsappTemplate },
  },
  setup: whatsappSetup,
  sources: ['whatsapp'],
  webhook: metaWebhook('whatsapp', 'whatsapp_business_account', whatsappAccountsOf),
  // Every string of the body made storable the same way on both engines (domain/storable-text.ts).
  read: (delivery) => readWhatsappPayload(parseStorableJson(delivery.raw.toString('utf8')), delivery.receivedAt).map(eventsOf),
  createSender: (ports) => whatsappSender({ readAttachment: ports.readAttachment }),
  mediaFetcher: whatsappMediaFetcher,
  templateSource: whatsappTemplateSource,
  sandbox: startWhatsappSandbox,
};
