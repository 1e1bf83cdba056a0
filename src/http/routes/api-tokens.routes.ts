// Personal API tokens: create (the token is shown once), list, revoke.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../../modules/auth/api-tokens.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, requireCaller } from '../auth.js';
import { authenticatedErrors } from '../schemas.js';

const tokenView = z.object({ id: z.string(), name: z.string(), createdAt: z.number(), lastUsedAt: z.number().nullable(), revokedAt: z.number().nullable() });

export const apiTokenRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireCaller);

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['api tokens'],
        summary: 'Create a personal API token; the token is in this response only',
        body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
        response: { 201: z.object({ token: z.string(), apiToken: tokenView }), ...authenticatedErrors },
      },
    },
    async (request, reply) => {
      const created = await createApiToken(deps, callerOf(request), request.body.name);
      return reply.code(201).send({ token: created.token, apiToken: created.view });
    },
  );

  app.get(
    '/tokens',
    { schema: { tags: ['api tokens'], summary: "The caller's API tokens (without their secrets)", response: { 200: z.object({ apiTokens: z.array(tokenView) }), ...authenticatedErrors } } },
    async (request) => ({ apiTokens: await listApiTokens(deps, callerOf(request)) }),
  );

  app.delete(
    '/tokens/:id',
    { schema: { tags: ['api tokens'], summary: 'Revoke an API token', params: z.object({ id: z.string().max(64) }), response: { 204: z.null(), ...authenticatedErrors } } },
    async (request, reply) => {
      await revokeApiToken(deps, callerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};
