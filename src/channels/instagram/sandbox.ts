// The local fake Instagram Graph API sandbox channels send through: it accepts sends like Meta's and
// echoes them back to our webhook, signed; the simulator writes DMs and comments as a customer over the
// same signed-webhook path Meta uses.
import { DomainError } from '../../domain/errors.js';
import type { SandboxContext, SandboxProvider, SimulatedCustomerMessage } from '../adapter.js';
import type { ChannelAccount } from '../types.js';
import { normalizeInstagramAddress } from './address.js';
import { instagramComment, instagramDm, startFakeInstagramGraph } from './fake-graph/index.js';
import { instagramSetup } from './setup.js';

// The fake takes any token; one fixed value keeps sandbox channels free of secrets to manage.
const SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';

export async function startInstagramSandbox(context: SandboxContext): Promise<SandboxProvider> {
  const graph = await startFakeInstagramGraph({ enforceRules: false });
  // Known once our server listens, after the fake started.
  const webhookUrl = () => context.webhookUrl(instagramSetup.webhookPath!);
  return {
    sender: {
      send(message) {
        const { account } = message;
        graph.addAccount({ accountId: account.accountId, accessToken: SANDBOX_ACCESS_TOKEN });
        // One fake serves every sandbox account; each send's echo is signed with its own channel's secret.
        const appSecret = account.secrets.appSecret;
        graph.echoTo = appSecret ? { url: webhookUrl(), appSecret } : null;
        return context.realSender.send({
          ...message,
          account: { ...account, settings: { ...account.settings, graphBaseUrl: graph.url }, secrets: { ...account.secrets, accessToken: SANDBOX_ACCESS_TOKEN } },
        });
      },
    },
    async actAsCustomer(account: ChannelAccount, message: SimulatedCustomerMessage) {
      const igsid = normalizeInstagramAddress(message.from);
      if (!igsid) throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${message.from}" is not a instagram address.`, details: { field: 'from' } });
      const who = { accountId: account.accountId, igsid, at: context.now() };
      const payload = message.comment
        ? instagramComment({ ...who, text: message.text, ...(message.comment.mediaId ? { mediaId: message.comment.mediaId } : {}), ...(message.name ? { username: message.name } : {}) })
        : instagramDm({ ...who, text: message.text });
      const delivery = await graph.deliverWebhook(webhookUrl(), payload, account.secrets.appSecret ?? '');
      if (delivery.status !== 200) throw new Error(`the Instagram webhook answered ${delivery.status ?? delivery.error}: ${delivery.responseBody}`);
    },
    close: () => graph.close(),
  };
}
