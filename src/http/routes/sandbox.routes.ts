// The sandbox simulator: write to a sandbox channel as its customer would (through the channel's real
// webhook or SMTP path), and read what the brand sent back through the sandbox's fake providers.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import { findChannel } from '../../modules/channels/channel.repo.js';
import type { SandboxProviders } from '../../modules/sandbox/sandbox-providers.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

const id = z.string().min(1).max(64);
const sentView = z.object({ to: z.string(), kind: z.string(), text: z.string().nullable(), at: z.number(), tag: z.string().nullable() });

export const sandboxRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store'>; sandbox: SandboxProviders }> = async (app, { deps, sandbox }) => {
  const sandboxChannel = async (workspaceId: string, channelId: string) => {
    const channel = await findChannel(deps.store.db, channelId);
    if (!channel || channel.workspace_id !== workspaceId) throw notFound('channel');
    return channel;
  };

  app.post(
    '/sandbox/customer-messages',
    {
      schema: {
        tags: ['sandbox'],
        summary: "Write to a sandbox channel as a customer; answers once the channel's webhook or SMTP intake acknowledged it",
        body: z.strictObject({
          channelId: id,
          from: z.string().trim().min(1).max(320).describe("the customer's phone number, Instagram id or email address; on WhatsApp a business-scoped user id (US.…) writes as a username-only customer, without a phone"),
          userId: z.string().trim().min(1).max(140).optional().describe("WhatsApp only: the customer's business-scoped user id (US.…), sent beside the phone in `from`"),
          username: z.string().trim().min(1).max(100).optional().describe("WhatsApp only: the customer's username"),
          name: z.string().trim().min(1).max(100).optional(),
          text: z.string().trim().min(1).max(4096),
          subject: z.string().trim().max(200).optional().describe('email only'),
          comment: z.strictObject({ mediaId: z.string().regex(/^\d{1,25}$/).optional() }).optional().describe('Instagram only: post a comment on the brand\'s media instead of a direct message'),
        }),
        response: { 202: z.object({ accepted: z.literal(true) }), ...authenticatedErrors, 409: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      const { channelId, ...message } = request.body;
      await sandbox.actAsCustomer(await sandboxChannel(callerOf(request).workspaceId, channelId), message);
      return reply.code(202).send({ accepted: true });
    },
  );

  app.get(
    '/sandbox/channels/:id/sent',
    {
      schema: {
        tags: ['sandbox'],
        summary: "What a sandbox channel sent, as its fake provider received it (this server process's, oldest first)",
        params: z.object({ id }),
        response: { 200: z.object({ sent: z.array(sentView) }), ...authenticatedErrors },
      },
    },
    async (request) => {
      const channel = await sandboxChannel(callerOf(request).workspaceId, request.params.id);
      return { sent: sandbox.sentBy(channel.id) };
    },
  );
};
