// A WhatsApp channel on the test server, posting signed webhooks to it, and processing what it stored.
import type { WebhookPayload } from '../../src/channels/whatsapp/fake-graph/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { inboundHandlers } from '../../src/modules/inbound/handlers.js';
import { InboundProcessor } from '../../src/modules/inbound/process-inbound.js';
import type { ApiContext } from './api.js';
import { postMetaWebhook } from './meta-webhooks.js';

export const APP_SECRET = 'fake_app_secret_for_tests';
export const ACCESS_TOKEN = 'EAAG-test-access-token-000000';
export const VERIFY_TOKEN = 'tbv_verify_token_for_tests';
/** The business number of the channels.md fixtures. */
export const PHONE_NUMBER_ID = '200000000000002';
/** The fixtures' business number as webhook payloads name it. */
export const BUSINESS_NUMBER = { phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '15550001111' };

/** Connects the fixtures' business number as a WhatsApp channel of the API's world. */
export async function connectWhatsapp(api: ApiContext, settings: Record<string, unknown> = {}) {
  return insertChannel(
    api.db.store.db,
    {
      workspaceId: api.world.workspaceId,
      kind: 'whatsapp',
      name: 'Support line',
      externalId: PHONE_NUMBER_ID,
      config: { phoneNumberId: PHONE_NUMBER_ID, verifyToken: VERIFY_TOKEN, ...settings },
      secrets: { appSecret: APP_SECRET, accessToken: ACCESS_TOKEN },
    },
    api.world.clock.now(),
  );
}

/** POSTs a body to the WhatsApp webhook, signed with the app secret unless a signature is given. */
export function postWhatsapp(api: ApiContext, body: WebhookPayload | Buffer | string, options: { signature?: string | null; secret?: string } = {}) {
  return postMetaWebhook(api, '/webhooks/whatsapp', body, options.secret ?? APP_SECRET, options.signature);
}

/** Processes every stored delivery that is due, as the inbound job does. */
export function processInbound(api: ApiContext): Promise<number> {
  const logger = createLogger('silent');
  return new InboundProcessor(api.world.deps, inboundHandlers(logger), logger).run();
}
