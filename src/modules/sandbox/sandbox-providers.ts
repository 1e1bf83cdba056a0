// The local providers a server process runs for its sandbox channels, so a new team can try the whole
// product without a Meta app or a mail server: fake Graph APIs that sandbox WhatsApp and Instagram
// channels send through (posting signed statuses and echoes back), and our own SMTP listener for email. The
// simulator writes as a customer over the same signed-webhook and SMTP paths real providers use, and
// shows what the brand sent.
import type { SandboxProvider, SimulatedCustomerMessage } from '../../channels/adapter.js';
import { channelAdapters, channelSetup } from '../../channels/registry.js';
import { sandboxSender } from '../../channels/sandbox-sender.js';
import type { ChannelSender, OutboundSend } from '../../channels/types.js';
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
export type CustomerMessage = SimulatedCustomerMessage;

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
  /** The real senders, by kind, pointed at the fakes for each send. */
  senders: Partial<Record<ChannelKind, ChannelSender>>;
}

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
  const sent = new Map<string, SandboxSentMessage[]>();
  const providers: Partial<Record<ChannelKind, SandboxProvider>> = {};
  for (const adapter of channelAdapters) {
    if (!adapter.sandbox) continue;
    providers[adapter.kind] = await adapter.sandbox({
      webhookUrl: (path) => `${options.appUrl()}${path}`,
      smtp: options.smtp,
      now: () => deps.clock.now(),
      realSender: options.senders[adapter.kind] ?? sandboxSender,
    });
  }

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

  return {
    senders: Object.fromEntries(Object.entries(providers).map(([kind, provider]) => [kind, recording(provider.sender)])),
    async actAsCustomer(channel, message) {
      if (channel.sandbox !== 1) throw notSandbox();
      const provider = providers[channel.kind];
      if (!provider) throw new DomainError({ code: 'VALIDATION_FAILED', message: `The simulator cannot write to ${channel.kind} channels.`, details: { field: 'channelId' } });
      await provider.actAsCustomer(channelAccount(channel), message);
    },
    sentBy: (channelId) => [...(sent.get(channelId) ?? [])],
    async close() {
      await Promise.all(Object.values(providers).map((provider) => provider.close()));
    },
  };
}
