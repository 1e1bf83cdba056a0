// Meta's webhooks for one channel kind (WhatsApp, Instagram): the subscription handshake, and event
// bodies verified over their raw bytes with the app secret, stored exactly as received, then
// acknowledged. Processing happens after the acknowledgement (Meta wants an answer fast).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyMetaSignature, verifyTokenMatches } from '../../channels/meta/signature.js';
import { channelSetup } from '../../channels/registry.js';
import { DomainError } from '../../domain/errors.js';
import type { ChannelKind } from '../../domain/reply-policy.js';
import { AccountChannels, channelAccount } from '../../modules/channels/channel.repo.js';
import type { Deps } from '../../modules/deps.js';
import { PayloadIntake } from '../../modules/inbound/payload-intake.js';

// WhatsApp bodies reach 3 MB (channels.md §1.3); a little room on top.
const BODY_LIMIT = 4 * 1024 * 1024;

export interface MetaWebhookOptions {
  deps: Pick<Deps, 'store' | 'clock'>;
  kind: ChannelKind;
  /**
   * Called once a body is stored, so processing starts without waiting for the next job run; told how
   * long storing took, so processing can step back while acknowledgements are slow.
   */
  onStored?: (storeMs: number) => void;
}

const HANDSHAKE_PARAMETERS = ['hub.mode', 'hub.verify_token', 'hub.challenge'] as const;

const refuse = (code: 'INVALID_SIGNATURE' | 'INVALID_JSON' | 'UNSUPPORTED_OBJECT', message: string) => new DomainError({ code, message });

export async function metaWebhookRoutes(app: FastifyInstance, { deps, kind, onStored }: MetaWebhookOptions): Promise<void> {
  const setup = channelSetup(kind);
  if (!setup.webhookPath || !setup.webhookBody) throw new Error(`${kind} channels have no Meta webhook`);
  const { object, accountsOf } = setup.webhookBody;
  const channelsOf = new AccountChannels();
  const intake = new PayloadIntake(deps);

  // The signature covers the bytes as sent: keep them, parse only after the check.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.get(setup.webhookPath, { schema: { hide: true } }, async (request: FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>, reply: FastifyReply) => {
    const query = request.query;
    const repeated = HANDSHAKE_PARAMETERS.filter((name) => Array.isArray(query[name]));
    if (repeated.length > 0) {
      throw new DomainError({ code: 'VALIDATION_FAILED', message: `Send ${repeated.join(', ')} once.`, details: { repeated } });
    }
    const [mode, token, challenge] = HANDSHAKE_PARAMETERS.map((name) => query[name] as string | undefined);
    if (mode === 'subscribe' && token && challenge !== undefined) {
      const channels = await deps.store.db.selectFrom('channels').select('config').where('kind', '=', kind).execute();
      // Every token is compared, so the answer's timing does not tell which channel (if any) matched.
      const matches = channels.map((c) => verifyTokenMatches(token, String(JSON.parse(c.config).verifyToken ?? ''))).some(Boolean);
      if (matches) return reply.code(200).type('text/plain').send(challenge);
    }
    request.log.warn({ kind }, 'a webhook verification with an unknown token was refused');
    throw new DomainError({ code: 'FORBIDDEN', message: 'The verify token matches no channel of this kind, or the mode is not "subscribe".' });
  });

  app.post(setup.webhookPath, { schema: { hide: true }, bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const raw = request.body;
    if (!Buffer.isBuffer(raw)) throw refuse('INVALID_JSON', 'Send the webhook body as application/json.');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw refuse('INVALID_JSON', 'The webhook body is not valid JSON.');
    }
    if ((body as { object?: unknown } | null)?.object !== object) throw refuse('UNSUPPORTED_OBJECT', `This endpoint takes "${object}" webhooks.`);
    const channels = await channelsOf.find(deps.store.db, kind, accountsOf(body));
    const signature = request.headers['x-hub-signature-256'];
    const header = Array.isArray(signature) ? signature[0] : signature;
    if (channels.length === 0) {
      // Meta retries what is not acknowledged; a number nobody connects would be retried for days.
      request.log.warn({ kind }, 'a webhook for no connected account was acknowledged and dropped');
      return reply.code(200).send({ received: false });
    }
    if (!channels.some((c) => verifyMetaSignature(raw, header, channelAccount(c).secrets.appSecret ?? ''))) {
      throw refuse('INVALID_SIGNATURE', 'The X-Hub-Signature-256 header does not match the body under the app secret.');
    }
    const storing = performance.now();
    await intake.store({ source: kind, raw, signature: header ?? null });
    onStored?.(performance.now() - storing);
    return reply.code(200).send({ received: true });
  });
}
