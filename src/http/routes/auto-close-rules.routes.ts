// Auto-close rules (admins only): list, add one per channel and kind, change its duration or switch, delete.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUTO_CLOSE_KINDS } from '../../domain/auto-close.js';
import { autoCloseRuleView, listAutoCloseRules } from '../../modules/auto-close/auto-close-rule-queries.js';
import { changeAutoCloseRule, createAutoCloseRule, deleteAutoCloseRule } from '../../modules/auto-close/auto-close-rules.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, requireAdmin } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

const id = z.string().min(1).max(64);
// The bounds are left to the domain, so an out-of-range duration gets the same sentence from every interface.
const durationMinutes = z.number().describe('whole minutes, from 5 to 129600 (90 days)');
const ruleView = z.object({
  id: z.string(),
  channelId: z.string(),
  kind: z.enum(AUTO_CLOSE_KINDS),
  durationMinutes: z.number(),
  enabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const autoCloseRuleRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/auto-close-rules',
    {
      schema: {
        tags: ['auto-close rules'],
        summary: "The workspace's auto-close rules, or one channel's",
        querystring: z.strictObject({ channelId: id.optional() }),
        response: { 200: z.object({ rules: z.array(ruleView) }), ...authenticatedErrors },
      },
    },
    async (request) => ({ rules: await listAutoCloseRules(deps.store.db, callerOf(request).workspaceId, request.query.channelId) }),
  );

  app.post(
    '/auto-close-rules',
    {
      schema: {
        tags: ['auto-close rules'],
        summary: 'Add the rule of a kind to a channel (one per kind; change an existing one with PATCH)',
        body: z.strictObject({ channelId: id, kind: z.enum(AUTO_CLOSE_KINDS), durationMinutes, enabled: z.boolean() }),
        response: { 201: z.object({ rule: ruleView }), ...authenticatedErrors, 409: errorResponse },
      },
    },
    async (request, reply) => {
      const row = await createAutoCloseRule(deps, callerOf(request).workspaceId, request.body);
      return reply.code(201).send({ rule: autoCloseRuleView(row) });
    },
  );

  app.patch(
    '/auto-close-rules/:id',
    {
      schema: {
        tags: ['auto-close rules'],
        summary: "Change a rule's duration or switch it on or off",
        params: z.object({ id }),
        body: z
          .strictObject({ durationMinutes: durationMinutes.optional(), enabled: z.boolean().optional() })
          .refine((b) => b.durationMinutes !== undefined || b.enabled !== undefined, 'send durationMinutes, enabled or both'),
        response: { 200: z.object({ rule: ruleView }), ...authenticatedErrors },
      },
    },
    async (request) => ({ rule: autoCloseRuleView(await changeAutoCloseRule(deps, callerOf(request).workspaceId, request.params.id, request.body)) }),
  );

  app.delete(
    '/auto-close-rules/:id',
    { schema: { tags: ['auto-close rules'], summary: 'Delete a rule', params: z.object({ id }), response: { 204: z.null(), ...authenticatedErrors } } },
    async (request, reply) => {
      await deleteAutoCloseRule(deps, callerOf(request).workspaceId, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
