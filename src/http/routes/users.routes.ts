// The workspace's users (admins only): list, add, change role or name, deactivate and reactivate.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../modules/deps.js';
import { changeUser, createUser, listUsers } from '../../modules/users/user-admin.js';
import { callerOf, personOf, requireAdmin } from '../auth.js';
import { authenticatedErrors, errorResponse } from '../schemas.js';

const role = z.enum(['admin', 'agent']);
const name = z.string().trim().min(1).max(100);
const userView = z.object({ id: z.string(), email: z.string(), name: z.string(), role, active: z.boolean(), createdAt: z.number() });

export const userRoutes: FastifyPluginAsyncZod<{ deps: Pick<Deps, 'store' | 'clock'> }> = async (app, { deps }) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/users',
    { schema: { tags: ['users'], summary: "The workspace's users", response: { 200: z.object({ users: z.array(userView) }), ...authenticatedErrors } } },
    async (request) => ({ users: await listUsers(deps.store.db, callerOf(request).workspaceId) }),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Add a user; without a password, a one-time password is generated and is in this response only',
        body: z.strictObject({ email: z.email().max(320), name, role, password: z.string().max(1024).optional() }),
        response: { 201: z.object({ user: userView, temporaryPassword: z.string().optional() }), ...authenticatedErrors, 409: errorResponse },
      },
    },
    async (request, reply) => {
      const caller = personOf(callerOf(request));
      const { user, temporaryPassword } = await createUser(deps, caller, request.body);
      request.log.info({ actorId: caller.userId, targetId: user.id, role: user.role }, 'user created');
      return reply.code(201).send(temporaryPassword === null ? { user } : { user, temporaryPassword });
    },
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's role or name, or deactivate (ending their sessions and API tokens) or reactivate them",
        params: z.object({ id: z.string().min(1).max(64) }),
        body: z
          .strictObject({ role: role.optional(), name: name.optional(), active: z.boolean().optional() })
          .refine((b) => Object.values(b).some((v) => v !== undefined), 'send at least one of role, name, active'),
        response: { 200: z.object({ user: userView }), ...authenticatedErrors, 409: errorResponse },
      },
    },
    async (request) => {
      const caller = personOf(callerOf(request));
      const user = await changeUser(deps, caller, request.params.id, request.body);
      request.log.info({ actorId: caller.userId, targetId: user.id, changed: Object.keys(request.body) }, 'user changed');
      return { user };
    },
  );
};
