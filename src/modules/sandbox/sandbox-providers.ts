// The local providers a server process runs for its sandbox channels, so a new team can try the whole
// product without a Meta app or a mail server: fake Graph APIs that sandbox WhatsApp and Instagram
// channels send through (posting signed statuses and echoes back), and our own SMTP listener for email. The
// simulator writes as a customer over the same signed-webhook and SMTP paths real providers use, and
// shows what the brand sent.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { inboundText, newWamid, startFakeGraph, type FakeGraph } from '../../channels/whatsapp/fake-graph/index.js';
import { instagramComment, instagramDm, startFakeInstagramGraph } from '../../channels/instagram/fake-graph/index.js';
import { sandboxSender } from '../../channels/sandbox/sender.js';
import type { ChannelSender, OutboundSend } from '../../channels/types.js';
import { channelRules, channelSetup } from '../../channels/registry.js';
import type { ChannelRow } from '../../db/schema.js';
import { DomainError } from '../../domain/errors.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import { channelAccount, noteChannelsChanged } from '../channels/channel.repo.js';
import type { Deps } from '../deps.js';
import { newSecret } from '../auth/secrets.js';

/** A message a sandbox channel sent, as its fake provider accepted it. */
export interface SandboxSentMessage {
  to: string;
  kind: string;
  text: string | null;
  at: number;
  tag: string | null;
}

/** What the simulator's customer writes. */
export interface CustomerMessage {
  from: string;
  name?: string;
  text: string;
  /** Email only. */
  subject?: string;
  /** Instagram only: a comment on one of the brand's posts instead of a direct message. */
  comment?: { mediaId?: string };
  /**
   * WhatsApp only: the customer's business-scoped user id (BSUID, `US.…`), sent beside the phone in
   * `from`. A `from` that is itself a BSUID writes as a username-only customer, with no phone at all.
   */
  userId?: string;
  /** WhatsApp only: the customer's username. */
  username?: string;
}

const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,128}$/;

export interface SandboxProviders {
  /** The senders sandbox channels deliver through, by kind. */
  senders: Partial<Record<ChannelKind, ChannelSender>>;
  /** Delivers a customer's message to a sandbox channel the way its provider would; resolves once acknowledged. */
  actAsCustomer(channel: ChannelRow, message: CustomerMessage): Promise<void>;
  /** What the channel sent since this process started, oldest first. */
  sentBy(channelId: string): SandboxSentMessage[];
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** Where this process serves HTTP (the fakes post webhooks there); known only once it listens. */
  appUrl(): string;
  /** Where this process takes mail by SMTP. */
  smtp: { host: string; port: number };
  /** The real senders, pointed at the fakes for each send. */
  whatsapp: ChannelSender;
  instagram: ChannelSender;
}

// The fake Graph API takes any token; one fixed value keeps sandbox channels free of secrets to manage.
const SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';
// Per channel, the newest sends the simulator can show.
const SENT_KEPT = 200;

const notSandbox = () => new DomainError({ code: 'CHANNEL_NOT_SANDBOX', message: 'Only sandbox channels can be written to from the simulator.' });

/**
 * Gives every sandbox Meta channel an app secret: webhooks from the simulator and the fake provider are
 * signed and verified exactly like Meta's, so the sandbox exercises the real path.
 */
export async function ensureSandboxAppSecrets(deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  const channels = await deps.store.db.selectFrom('channels').select(['id', 'kind', 'secrets']).where('sandbox', '=', 1).execute();
  for (const channel of channels) {
    const secrets = JSON.parse(channel.secrets) as Record<string, unknown>;
    if (!channelSetup(channel.kind).webhookPath || secrets.appSecret) continue;
    await deps.store.unit((trx) =>
      trx
        .updateTable('channels')
        .set({ secrets: JSON.stringify({ ...secrets, appSecret: newSecret('sandbox_') }), updated_at: deps.clock.now() })
        .where('id', '=', channel.id)
        .execute(),
    );
    noteChannelsChanged();
  }
}

function describeSend(message: OutboundSend): string | null {
  if (message.template) return `Template "${message.template.name}"${message.body ? `: ${message.body}` : ''}`;
  const files = message.attachments.map((a) => a.fileName ?? a.contentType ?? 'file');
  return [message.body, ...files.map((f) => `[${f}]`)].filter(Boolean).join(' ') || null;
}

export async function startSandboxProviders(deps: Pick<Deps, 'store' | 'clock'>, options: SandboxOptions): Promise<SandboxProviders> {
  await ensureSandboxAppSecrets(deps);
  const graph: FakeGraph = await startFakeGraph({ enforceRules: false });
  const instagramGraph = await startFakeInstagramGraph({ enforceRules: false });
  const webhookUrl = (kind: ChannelKind) => `${options.appUrl()}${channelSetup(kind).webhookPath}`;
  const sent = new Map<string, SandboxSentMessage[]>();
  const mail = nodemailer.createTransport({ host: options.smtp.host, port: options.smtp.port, secure: false, ignoreTLS: true });

  /** Keeps what a sender's provider accepted, for the simulator to show. */
  const recording = (sender: ChannelSender): ChannelSender => ({
    async send(message) {
      const result = await sender.send(message);
      if (result.ok) {
        const list = sent.get(message.channelId) ?? [];
        list.push({ to: message.to, kind: message.template ? 'template' : message.kind, text: describeSend(message), at: deps.clock.now(), tag: message.tag });
        sent.set(message.channelId, list.slice(-SENT_KEPT));
      }
      return result;
    },
  });

  const whatsappThroughFake: ChannelSender = {
    send(message) {
      const { account } = message;
      graph.addPhoneNumber({ phoneNumberId: account.accountId, accessToken: SANDBOX_ACCESS_TOKEN });
      const appSecret = account.secrets.appSecret;
      if (appSecret) graph.autoStatusesFor(account.accountId, webhookUrl('whatsapp'), appSecret, ['sent', 'delivered', 'read']);
      return options.whatsapp.send({
        ...message,
        account: { ...account, settings: { ...account.settings, graphBaseUrl: graph.url, phoneNumberId: account.accountId }, secrets: { ...account.secrets, accessToken: SANDBOX_ACCESS_TOKEN } },
      });
    },
  };

  const instagramThroughFake: ChannelSender = {
    send(message) {
      const { account } = message;
      instagramGraph.addAccount({ accountId: account.accountId, accessToken: SANDBOX_ACCESS_TOKEN });
      // One fake serves every sandbox account; each send's echo is signed with its own channel's secret.
      const appSecret = account.secrets.appSecret;
      instagramGraph.echoTo = appSecret ? { url: webhookUrl('instagram'), appSecret } : null;
      return options.instagram.send({
        ...message,
        account: { ...account, settings: { ...account.settings, graphBaseUrl: instagramGraph.url }, secrets: { ...account.secrets, accessToken: SANDBOX_ACCESS_TOKEN } },
      });
    },
  };

  async function instagramCustomer(channel: ChannelRow, message: CustomerMessage): Promise<void> {
    const igsid = channelRules('instagram').normalizeAddress(message.from);
    if (!igsid) throw invalidAddress(channel.kind, message.from);
    const who = { accountId: channel.external_id, igsid, at: deps.clock.now() };
    const payload = message.comment
      ? instagramComment({ ...who, text: message.text, ...(message.comment.mediaId ? { mediaId: message.comment.mediaId } : {}), ...(message.name ? { username: message.name } : {}) })
      : instagramDm({ ...who, text: message.text });
    const delivery = await instagramGraph.deliverWebhook(webhookUrl('instagram'), payload, channelAccount(channel).secrets.appSecret ?? '');
    if (delivery.status !== 200) throw new Error(`the Instagram webhook answered ${delivery.status ?? delivery.error}: ${delivery.responseBody}`);
  }

  async function whatsappCustomer(channel: ChannelRow, message: CustomerMessage): Promise<void> {
    const account = channelAccount(channel);
    const usernameOnly = BSUID.test(message.from);
    const waId = usernameOnly ? null : channelRules('whatsapp').normalizeAddress(message.from);
    if (!usernameOnly && !waId) throw invalidAddress(channel.kind, message.from);
    if (message.userId !== undefined && !BSUID.test(message.userId)) {
      throw new DomainError({ code: 'VALIDATION_FAILED', message: `"${message.userId}" is not a WhatsApp business-scoped user id (US.…).`, details: { field: 'userId' } });
    }
    const userId = usernameOnly ? message.from : message.userId;
    const payload = inboundText({
      phoneNumberId: channel.external_id,
      displayPhoneNumber: String(account.settings.displayPhoneNumber ?? ''),
      ...(waId ? { waId } : {}),
      ...(userId ? { userId } : {}),
      ...(message.username ? { username: message.username } : {}),
      name: message.name ?? message.username ?? (waId ? `+${waId}` : (userId ?? '')),
      text: message.text,
      timestampSec: Math.floor(deps.clock.now() / 1000),
      id: newWamid(waId ?? userId ?? ''),
    });
    const delivery = await graph.deliverWebhook(webhookUrl('whatsapp'), payload, account.secrets.appSecret ?? '');
    if (delivery.status !== 200) throw new Error(`the WhatsApp webhook answered ${delivery.status ?? delivery.error}: ${delivery.responseBody}`);
  }

  async function emailCustomer(channel: ChannelRow, message: CustomerMessage): Promise<void> {
    const from = channelRules('email').normalizeAddress(message.from);
    if (!from) throw invalidAddress(channel.kind, message.from);
    await mail.sendMail({
      from: message.name ? { name: message.name, address: from } : from,
      to: channel.external_id,
      subject: message.subject?.trim() || 'A question',
      text: message.text,
      messageId: `<${randomUUID()}@sandbox.threadbox.test>`,
    });
  }

  const customers: Record<ChannelKind, (channel: ChannelRow, message: CustomerMessage) => Promise<void>> = { whatsapp: whatsappCustomer, instagram: instagramCustomer, email: emailCustomer };

  return {
    senders: { whatsapp: recording(whatsappThroughFake), instagram: recording(instagramThroughFake), email: recording(sandboxSender) },
    async actAsCustomer(channel, message) {
      if (channel.sandbox !== 1) throw notSandbox();
      await customers[channel.kind](channel, message);
    },
    sentBy: (channelId) => [...(sent.get(channelId) ?? [])],
    async close() {
      mail.close();
      await Promise.all([graph.close(), instagramGraph.close()]);
    },
  };
}

function invalidAddress(kind: ChannelKind, raw: string): DomainError {
  return new DomainError({ code: 'VALIDATION_FAILED', message: `"${raw}" is not a ${kind} address.`, details: { field: 'from' } });
}
