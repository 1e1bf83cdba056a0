// Sign-in, sign-out and the current user.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { logIn, logOut } from '../../modules/auth/auth.service.js';
import type { Deps } from '../../modules/deps.js';
import { callerOf, personOf, refuseOtherSites, requireCaller, SESSION_COOKIE } from '../auth.js';
import { caller, errorResponse } from '../schemas.js';

export interface AuthRoutesOptions {
  deps: Pick<Deps, 'store' | 'clock'>;
  /** Mark the cookie Secure (the server is reached over https). */
  secureCookies: boolean;
}

const publicCaller = (c: z.infer<typeof caller>) => ({ userId: c.userId, workspaceId: c.workspaceId, role: c.role, email: c.email, name: c.name });

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, { deps, secureCookies }) => {
  app.post(
    '/auth/login',
    {
      onRequest: refuseOtherSites,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        body: z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ user: caller }), 400: errorResponse, 401: errorResponse, 403: errorResponse, 429: errorResponse },
      },
    },
    async (request, reply) => {
      const session = await logIn(deps, { ...request.body, address: request.ip });
      reply.setCookie(SESSION_COOKIE, session.sessionSecret, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        expires: new Date(session.expiresAt),
      });
      return { user: publicCaller(session.caller) };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out: ends the session', response: { 204: z.null(), 403: errorResponse } } },
    async (request, reply) => {
      const secret = request.cookies[SESSION_COOKIE];
      if (secret) await logOut(deps, secret);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    { onRequest: requireCaller, schema: { tags: ['auth'], summary: 'The signed-in user (403 for an integration token)', response: { 200: z.object({ user: caller }), 401: errorResponse, 403: errorResponse } } },
    async (request) => ({ user: publicCaller(personOf(callerOf(request))) }),
  );
};
