// Mail services that forward inbound mail by HTTP post the raw message here. It is stored exactly as received
// before the answer, and read into its ticket by the inbound job.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, notFound } from '../../domain/errors.js';
import type { Deps } from '../../modules/deps.js';
import { channelAdapter } from '../../channels/registry.js';
import { storeChannelDelivery } from '../../modules/inbound/receive-mail.js';
import { callerOf, requireAdmin } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

export interface EmailInboundRouteOptions {
  deps: Pick<Deps, 'store' | 'clock'>;
  /** The largest message accepted, in bytes. */
  maxBytes: number;
  /** Called once a message is stored, so processing starts without waiting for the next job run. */
  onStored?: () => void;
}

const RAW_TYPES = ['message/rfc822', 'application/octet-stream', 'text/plain'];

export const emailInboundRoutes: FastifyPluginAsyncZod<EmailInboundRouteOptions> = async (app, { deps, maxBytes, onStored }) => {
  // Only this route takes raw bodies; every JSON route keeps its own parser and limit.
  app.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', requireAdmin);

  app.post(
    '/channels/:id/email/inbound',
    {
      schema: {
        tags: ['channels'],
        summary: 'Deliver a raw email to an email channel (admin or an admin API token)',
        description: `For mail services that forward inbound mail by HTTP: send the message exactly as received (RFC 5322), with Content-Type message/rfc822, at most ${maxBytes} bytes. It is stored before the answer and becomes a ticket message shortly after.`,
        consumes: RAW_TYPES,
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 202: z.object({ received: z.object({ id: z.string() }) }), 413: errorResponse, 415: errorResponse, ...authenticatedErrors },
      },
      // The body is bytes, not an object a schema could check.
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { id } = request.params as { id: string };
      const channel = await deps.store.db.selectFrom('channels').select(['id', 'kind', 'enabled']).where('workspace_id', '=', caller.workspaceId).where('id', '=', id).executeTakeFirst();
      if (!channel) throw notFound('The channel');
      const { forward } = channelAdapter(channel.kind);
      if (!forward) throw new DomainError({ code: 'VALIDATION_FAILED', message: 'This channel is not an email channel; raw mail can only be delivered to one.', details: { field: 'id' } });
      if (!channel.enabled) throw new DomainError({ code: 'CHANNEL_DISABLED', message: 'This email channel is switched off; switch it on to receive mail.' });
      const raw = request.body;
      if (!Buffer.isBuffer(raw) || !forward.looksValid(raw)) {
        throw new DomainError({ code: 'VALIDATION_FAILED', message: 'Send the raw message, headers first (RFC 5322), as the body.', details: { field: 'body' } });
      }
      const payloadId = await deps.store.unit((trx) => storeChannelDelivery(trx, forward.source, channel.id, raw, deps.clock.now()));
      onStored?.();
      return reply.code(202).send({ received: { id: payloadId } });
    },
  );
};
