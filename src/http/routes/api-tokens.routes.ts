// API tokens: a person's own (`/tokens`) and the workspace's integration tokens (`/integration-tokens`,
// admins only). Create (the token is shown once), list, revoke; one code for both.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createToken, integrationTokens, listTokens, personalTokens, revokeToken } from '../../modules/auth/api-tokens.js';
import type { Caller } from '../../domain/caller.js';
import type { TokenScope } from '../../modules/auth/api-tokens.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, requireAdmin, requireCaller } from '../auth.js';
import { authenticatedErrors } from '../schemas.js';

const tokenView = z.object({ id: z.string(), name: z.string(), createdAt: z.number(), lastUsedAt: z.number().nullable(), revokedAt: z.number().nullable() });

interface TokenResource {
  path: string;
  tag: string;
  /** Who may manage these tokens; runs before the body is read. */
  guard: typeof requireCaller;
  scopeOf: (caller: Caller) => TokenScope;
  summaries: { create: string; list: string; revoke: string };
}

const RESOURCES: TokenResource[] = [
  {
    path: '/tokens',
    tag: 'api tokens',
    guard: requireCaller,
    scopeOf: personalTokens,
    summaries: {
      create: 'Create a personal API token, acting as you; the token is in this response only',
      list: "The caller's API tokens (without their secrets)",
      revoke: 'Revoke an API token',
    },
  },
  {
    path: '/integration-tokens',
    tag: 'integration tokens',
    guard: requireAdmin,
    scopeOf: integrationTokens,
    summaries: {
      create:
        "Create an integration token for a bot or integration (admins): it belongs to the workspace, acts under its name and sends as an automation under the reply policy; the token is in this response only",
      list: "The workspace's integration tokens (without their secrets)",
      revoke: 'Revoke an integration token',
    },
  },
];

export const apiTokenRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireCaller);

  for (const resource of RESOURCES) {
    const scope = (request: Parameters<typeof callerOf>[0]) => resource.scopeOf(callerOf(request));
    app.post(
      resource.path,
      {
        onRequest: resource.guard,
        schema: {
          tags: [resource.tag],
          summary: resource.summaries.create,
          body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
          response: { 201: z.object({ token: z.string(), apiToken: tokenView }), ...authenticatedErrors },
        },
      },
      async (request, reply) => {
        const created = await createToken(deps, scope(request), request.body.name);
        return reply.code(201).send({ token: created.token, apiToken: created.view });
      },
    );

    app.get(
      resource.path,
      { onRequest: resource.guard, schema: { tags: [resource.tag], summary: resource.summaries.list, response: { 200: z.object({ apiTokens: z.array(tokenView) }), ...authenticatedErrors } } },
      async (request) => ({ apiTokens: await listTokens(deps, scope(request)) }),
    );

    app.delete(
      `${resource.path}/:id`,
      {
        onRequest: resource.guard,
        schema: { tags: [resource.tag], summary: resource.summaries.revoke, params: z.object({ id: z.string().max(64) }), response: { 204: z.null(), ...authenticatedErrors } },
      },
      async (request, reply) => {
        await revokeToken(deps, scope(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  }
};
