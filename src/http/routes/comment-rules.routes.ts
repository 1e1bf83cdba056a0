// A channel's comment rules (which public comments open tickets, domain/comment-rules.ts): read by the
// team, saved by admins, and tried with a comment before saving. Thin: the rules live in the modules.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { commentRulesSchema } from '../../channels/comment-rules-settings.js';
import { COMMENT_ACTIONS, type CommentRules } from '../../domain/comment-rules.js';
import { channelCommentRules, saveCommentRules, tryComment } from '../../modules/channels/comment-rules.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, requireAdmin, requireCaller } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

const params = z.object({ id: z.string().min(1).max(64) });
const rulesAnswer = z.object({ rules: commentRulesSchema, saved: z.boolean().describe('false while the channel runs on the default rules') });
const errors = { ...authenticatedErrors, 409: errorResponse, 422: errorResponse } as const;

export const commentRuleRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock' | 'allowPrivateOutboundUrls'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireCaller);

  app.get(
    '/channels/:id/comment-rules',
    { schema: { tags: ['channels'], summary: "The channel's comment rules: which public comments open tickets (the defaults until an admin saves some)", params, response: { 200: rulesAnswer, ...errors } } },
    async (request) => channelCommentRules(deps, callerOf(request).workspaceId, request.params.id),
  );

  app.put(
    '/channels/:id/comment-rules',
    {
      onRequest: requireAdmin,
      schema: { tags: ['channels'], summary: "Replace the channel's comment rules (admin); read in order, the first that fits decides", params, body: commentRulesSchema, response: { 200: rulesAnswer, ...errors } },
    },
    async (request) => {
      const saved = await saveCommentRules(deps, callerOf(request).workspaceId, request.params.id, request.body as CommentRules);
      request.log.info({ channelId: request.params.id, rules: saved.rules.rules.length }, 'comment rules saved');
      return saved;
    },
  );

  app.post(
    '/channels/:id/comment-rules/test',
    {
      schema: {
        tags: ['channels'],
        summary: 'Which rule a comment would meet and what would happen to it (with the given rules, unsaved, or the saved ones)',
        params,
        body: z.strictObject({
          text: z.string().max(2200),
          post: z.string().max(500).nullish().describe("the post's media id or link"),
          handle: z.string().max(64).nullish().describe("the commenter's handle, for the answers' {handle}"),
          rules: commentRulesSchema.optional(),
        }),
        response: {
          200: z.object({
            action: z.enum(COMMENT_ACTIONS),
            rule: z.object({ id: z.string(), name: z.string() }).nullable().describe("null: no rule fits and the channel's otherwise applies"),
            privateReply: z.string().nullable(),
            publicReply: z.string().nullable(),
          }),
          ...errors,
        },
      },
    },
    async (request) => tryComment(deps, callerOf(request).workspaceId, request.params.id, request.body, request.body.rules as CommentRules | undefined),
  );
};
