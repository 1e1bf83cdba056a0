// The local fake WhatsApp Cloud API sandbox channels send through: it accepts sends like Meta's and
// posts signed statuses back to our webhook, and the simulator writes as a customer over the same
// signed-webhook path Meta uses, by phone number, by username (BSUID) or both.
import { DomainError } from '../../domain/errors.js';
import type { SandboxContext, SandboxProvider, SimulatedCustomerMessage } from '../adapter.js';
import type { ChannelAccount } from '../types.js';
import { normalizeWhatsappAddress } from './address.js';
import { inboundText, newWamid, startFakeGraph } from './fake-graph/index.js';
import { whatsappSetup } from './setup.js';

// The fake takes any token; one fixed value keeps sandbox channels free of secrets to manage.
const SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';
const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,128}$/;

export async function startWhatsappSandbox(context: SandboxContext): Promise<SandboxProvider> {
  const graph = await startFakeGraph({ enforceRules: false });
  // Known once our server listens, after the fake started.
  const webhookUrl = () => context.webhookUrl(whatsappSetup.webhookPath!);
  return {
    sender: {
      send(message) {
        const { account } = message;
        graph.addPhoneNumber({ phoneNumberId: account.accountId, accessToken: SANDBOX_ACCESS_TOKEN });
        const appSecret = account.secrets.appSecret;
        if (appSecret) graph.autoStatusesFor(account.accountId, webhookUrl(), appSecret, ['sent', 'delivered', 'read']);
        return context.realSender.send({
          ...message,
          account: { ...account, settings: { ...account.settings, graphBaseUrl: graph.url, phoneNumberId: account.accountId }, secrets: { ...account.secrets, accessToken: SANDBOX_ACCESS_TOKEN } },
        });
      },
    },
    async actAsCustomer(account: ChannelAccount, message: SimulatedCustomerMessage) {
      const usernameOnly = BSUID.test(message.from);
      const waId = usernameOnly ? null : normalizeWhatsappAddress(message.from);
      if (!usernameOnly && !waId) throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${message.from}" is not a whatsapp address.`, details: { field: 'from' } });
      if (message.userId !== undefined && !BSUID.test(message.userId)) {
        throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${message.userId}" is not a WhatsApp business-scoped user id (US.…).`, details: { field: 'userId' } });
      }
      const userId = usernameOnly ? message.from : message.userId;
      const payload = inboundText({
        phoneNumberId: account.accountId,
        displayPhoneNumber: String(account.settings.displayPhoneNumber ?? ''),
        ...(waId ? { waId } : {}),
        ...(userId ? { userId } : {}),
        ...(message.username ? { username: message.username } : {}),
        name: message.name ?? message.username ?? (waId ? `+${waId}` : (userId ?? '')),
        text: message.text,
        timestampSec: Math.floor(context.now() / 1000),
        id: newWamid(waId ?? userId ?? ''),
      });
      const delivery = await graph.deliverWebhook(webhookUrl(), payload, account.secrets.appSecret ?? '');
      if (delivery.status !== 200) throw new Error(`the WhatsApp webhook answered ${delivery.status ?? delivery.error}: ${delivery.responseBody}`);
    },
    close: () => graph.close(),
  };
}
