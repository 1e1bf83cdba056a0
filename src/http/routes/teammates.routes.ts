// The people an agent can assign a ticket to: every signed-in user of the workspace may list them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../modules/deps.js';
import { listTeammates } from '../../modules/users/user.repo.js';
import { callerOf, requireCaller } from '../auth.js';
import { authenticatedErrors } from '../schemas.js';

export const teammateRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireCaller);

  app.get(
    '/teammates',
    {
      schema: {
        tags: ['users'],
        summary: "The workspace's active users, by name: who a ticket can be assigned to",
        response: { 200: z.object({ teammates: z.array(z.object({ id: z.string(), name: z.string() })) }), ...authenticatedErrors },
      },
    },
    async (request) => ({ teammates: await listTeammates(deps.store.db, callerOf(request).workspaceId) }),
  );
};
