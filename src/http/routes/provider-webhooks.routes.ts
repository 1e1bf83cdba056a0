// Providers' webhooks, one route pair per channel adapter that has one: the subscription handshake, and
// event bodies verified over their raw bytes under a connected channel's secrets, stored exactly as
// received, then acknowledged. Processing happens after the acknowledgement (providers want an answer fast).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChannelAdapter, WebhookEndpoint } from '../../channels/adapter.js';
import { DomainError } from '../../domain/errors.js';
import { AccountChannels, channelAccount } from '../../modules/channels/channel.repo.js';
import type { Deps } from '../../modules/deps.js';
import { PayloadIntake } from '../../modules/inbound/payload-intake.js';

// WhatsApp bodies reach 3 MB (channels.md §1.3); a little room on top.
const BODY_LIMIT = 4 * 1024 * 1024;

export interface ProviderWebhookOptions {
  deps: Pick<Deps, 'store' | 'clock'>;
  adapter: ChannelAdapter;
  /**
   * Called once a body is stored, so processing starts without waiting for the next job run; told how
   * long storing took, so processing can step back while acknowledgements are slow.
   */
  onStored?: (storeMs: number) => void;
}

const refuse = (code: 'INVALID_SIGNATURE' | 'INVALID_JSON' | 'UNSUPPORTED_OBJECT', message: string) => new DomainError({ code, message });

export async function providerWebhookRoutes(app: FastifyInstance, { deps, adapter, onStored }: ProviderWebhookOptions): Promise<void> {
  const { kind } = adapter;
  const path = adapter.setup.webhookPath;
  const webhook: WebhookEndpoint | undefined = adapter.webhook;
  if (!path || !webhook) throw new Error(`${kind} channels have no webhook`);
  const channelsOf = new AccountChannels();
  const intake = new PayloadIntake(deps);

  // The signature covers the bytes as sent: keep them, parse only after the check.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.get(path, { schema: { hide: true } }, async (request: FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>, reply: FastifyReply) => {
    const query = request.query;
    const repeated = (webhook.handshakeParameters ?? []).filter((name) => Array.isArray(query[name]));
    if (repeated.length > 0) {
      throw new DomainError({ code: 'VALIDATION_FAILED', message: `Send ${repeated.join(', ')} once.`, details: { repeated } });
    }
    if (webhook.answerHandshake) {
      const channels = await deps.store.db.selectFrom('channels').select('config').where('kind', '=', kind).execute();
      const tokens = channels.map((c) => String(JSON.parse(c.config).verifyToken ?? ''));
      const answer = webhook.answerHandshake(query as Record<string, string | undefined>, tokens);
      if (answer !== null) return reply.code(200).type('text/plain').send(answer);
    }
    request.log.warn({ kind }, 'a webhook verification with an unknown token was refused');
    throw new DomainError({ code: 'FORBIDDEN', message: 'The verify token matches no channel of this kind, or the mode is not "subscribe".' });
  });

  app.post(path, { schema: { hide: true }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const raw = request.body;
    if (!Buffer.isBuffer(raw)) throw refuse('INVALID_JSON', 'Send the webhook body as application/json.');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw refuse('INVALID_JSON', 'The webhook body is not valid JSON.');
    }
    const accounts = webhook.accountsOf(body);
    if (accounts === null) throw refuse('UNSUPPORTED_OBJECT', `This endpoint takes ${webhook.describesBody}.`);
    const channels = await channelsOf.find(deps.store.db, kind, accounts);
    const signature = request.headers[webhook.signatureHeader.toLowerCase()];
    const header = (Array.isArray(signature) ? signature[0] : signature) ?? null;
    if (channels.length === 0) {
      // Providers retry what is not acknowledged; an account nobody connects would be retried for days.
      request.log.warn({ kind }, 'a webhook for no connected account was acknowledged and dropped');
      return reply.code(200).send({ received: false });
    }
    if (!channels.some((c) => webhook.verifySignature(raw, header, channelAccount(c)))) {
      throw refuse('INVALID_SIGNATURE', `The ${webhook.signatureHeader} header does not match the body under the app secret.`);
    }
    const storing = performance.now();
    await intake.store({ source: webhook.source, raw, signature: header });
    onStored?.(performance.now() - storing);
    return reply.code(200).send({ received: true });
  });
}
