// Instagram (messaging and comments) as one channel adapter: everything the engine needs from the provider.
import { parseStorableJson } from '../../domain/storable-text.js';
import type { ChannelAdapter } from '../adapter.js';
import { metaWebhook } from '../meta/webhook.js';
import { normalizeInstagramAddress } from './address.js';
import { enrichInstagramMessages } from './enrich.js';
import { instagramAccountsOf, instagramCommentFacts, readInstagramPayload } from './inbound.js';
import { instagramMediaFetcher } from './media.js';
import { instagramCommentReply, instagramPolicy, instagramTemplatesUnsupported, instagramUploadsUnsupported } from './policy.js';
import { startInstagramSandbox } from './sandbox.js';
import { instagramSender } from './sender.js';
import { instagramSetup } from './setup.js';

export const instagramAdapter: ChannelAdapter = {
  kind: 'instagram',
  rules: {
    kind: 'instagram',
    replyPolicy: instagramPolicy,
    normalizeAddress: normalizeInstagramAddress,
    addressCarriesAcrossChannels: false,
    commentReply: instagramCommentReply,
    uploadsPerMessage: { max: 0, refusal: instagramUploadsUnsupported },
    templates: { refusal: instagramTemplatesUnsupported },
  },
  setup: instagramSetup,
  sources: ['instagram'],
  webhook: metaWebhook('instagram', 'instagram', instagramAccountsOf),
  // Every string of the body made storable the same way on both engines (domain/storable-text.ts).
  read: (delivery) => readInstagramPayload(parseStorableJson(delivery.raw.toString('utf8')), delivery.receivedAt),
  enrich: enrichInstagramMessages,
  commentFacts: instagramCommentFacts,
  createSender: () => instagramSender(),
  mediaFetcher: instagramMediaFetcher,
  sandbox: startInstagramSandbox,
};
