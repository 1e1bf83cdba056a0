// An Instagram channel on the test server, with the local fake Graph API, posting signed webhooks to it.
import { afterAll, beforeAll } from 'vitest';
import { startFakeInstagramGraph, type FakeInstagramGraph, type InstagramWebhook } from '../../src/channels/instagram/fake-graph/index.js';
import { instagramSender } from '../../src/channels/instagram/sender.js';
import { sandboxSender } from '../../src/channels/sandbox-sender.js';
import { insertChannel } from '../../src/modules/channels/channel.repo.js';
import { deliverDueMessages } from '../../src/modules/outbox/deliver-messages.js';
import type { ApiContext } from './api.js';
import { postMetaWebhook } from './meta-webhooks.js';

export const IG_APP_SECRET = 'fake_app_secret_for_tests';
export const IG_ACCESS_TOKEN = 'IGAA-test-access-token-000000';
export const IG_VERIFY_TOKEN = 'tbv_instagram_verify_token';
/** The Instagram account of the channels.md fixtures. */
export const IG_ACCOUNT_ID = '17841400000000001';

let customers = 0;
/** A fresh customer's Instagram-scoped id. */
export const newIgsid = () => `9000${String(process.pid % 1000).padStart(3, '0')}${String(customers++).padStart(9, '0')}`;

/** Connects the fixtures' Instagram account as a channel of the API's world, its Graph calls going to `graphBaseUrl`. */
export async function connectInstagram(api: ApiContext, graphBaseUrl: string, settings: Record<string, unknown> = {}) {
  return insertChannel(
    api.db.store.db,
    {
      workspaceId: api.world.workspaceId,
      kind: 'instagram',
      name: 'Brand on Instagram',
      externalId: IG_ACCOUNT_ID,
      config: { instagramAccountId: IG_ACCOUNT_ID, verifyToken: IG_VERIFY_TOKEN, graphBaseUrl, ...settings },
      secrets: { appSecret: IG_APP_SECRET, accessToken: IG_ACCESS_TOKEN },
    },
    api.world.clock.now(),
  );
}

/** POSTs a body to the Instagram webhook, signed with the app secret unless a signature is given. */
export function postInstagram(api: ApiContext, body: InstagramWebhook | Buffer | string, options: { signature?: string | null; secret?: string } = {}) {
  return postMetaWebhook(api, '/webhooks/instagram', body, options.secret ?? IG_APP_SECRET, options.signature);
}

/**
 * The fixtures' account on a fake Instagram Graph API that runs on the world's clock, for every test of a
 * describe block, and `relay()`: one outbox run sending Instagram messages to it, as the job does.
 */
export function useFakeInstagramGraph(api: ApiContext) {
  let fake: FakeInstagramGraph | undefined;
  beforeAll(async () => {
    fake = await startFakeInstagramGraph({ accounts: [{ accountId: IG_ACCOUNT_ID, accessToken: IG_ACCESS_TOKEN }], now: () => api.world.clock.now() });
  });
  afterAll(() => fake?.close());
  return {
    get fake(): FakeInstagramGraph {
      if (!fake) throw new Error('the fake Instagram Graph API runs only inside its describe block');
      return fake;
    },
    relay: () => deliverDueMessages(api.world.deps, { byKind: { instagram: instagramSender({ timeoutMs: 1_000 }) }, sandbox: sandboxSender }),
  };
}
