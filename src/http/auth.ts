// Who is calling: a session cookie (the web app) or a bearer API token (integrations). Cookie-authenticated
// state changes must come from our own origin, so other sites cannot act with an agent's cookie.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { DomainError } from '../domain/errors.js';
import type { TeamActor, UserActor } from '../domain/actor.js';
import type { Caller, UserCaller } from '../domain/caller.js';
import { callerFromSession, callerFromToken } from '../modules/auth/auth.service.js';
import type { Deps } from '../modules/deps.js';

export const SESSION_COOKIE = 'threadbox_session';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Resolves the caller of every request (null when anonymous). */
export function installCallerResolution(app: FastifyInstance, deps: Pick<Deps, 'store' | 'clock'>): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      request.caller = await callerFromToken(deps, bearer);
      return;
    }
    const session = request.cookies[SESSION_COOKIE];
    if (!session) return;
    request.caller = await callerFromSession(deps, session);
    if (request.caller && !SAFE_METHODS.has(request.method) && !sameOrigin(request)) {
      throw new DomainError({ code: 'FORBIDDEN', message: 'This request came from another site; it was refused to protect your session.' });
    }
  });
}

const sourceOf = (request: FastifyRequest): string | undefined => request.headers.origin ?? request.headers.referer;

/** The Origin (or, lacking it, the Referer) names this server. */
function sameOrigin(request: FastifyRequest): boolean {
  const source = sourceOf(request);
  if (!source) return false;
  try {
    return new URL(source).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * Refuses with 403 a request whose Origin (or, lacking it, Referer) names another site, so no other site
 * can sign a browser in to an account of its choosing (login CSRF). A request with neither header (curl,
 * scripts) passes: browsers always send Origin on a cross-site POST.
 */
export async function refuseOtherSites(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (sourceOf(request) !== undefined && !sameOrigin(request)) {
    throw new DomainError({ code: 'FORBIDDEN', message: 'This request came from another site; sign in from this inbox.' });
  }
}

/** Refuses anonymous calls with 401. */
export async function requireCaller(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!request.caller) throw new DomainError({ code: 'UNAUTHENTICATED', message: 'Sign in, or send an API token as "Authorization: Bearer …".' });
}

/** Refuses callers who are not admins of their workspace with 403. */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireCaller(request, reply);
  if (request.caller?.role !== 'admin') throw new DomainError({ code: 'FORBIDDEN', message: 'Only an admin of this workspace can do this.' });
}

/** The caller of a request that passed requireCaller. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new DomainError({ code: 'UNAUTHENTICATED', message: 'Sign in first.' });
  return request.caller;
}

/** The person calling; an integration is refused with 403 (what only people may do). */
export function personOf(caller: Caller): UserCaller {
  if (caller.kind === 'integration') throw new DomainError({ code: 'FORBIDDEN', message: 'This needs a person: sign in, or use a personal API token rather than an integration token.' });
  return caller;
}

/** A person calling, as the actor use cases record on what they change; an integration is refused with 403. */
export function actorOf(caller: Caller): UserActor {
  const person = personOf(caller);
  return { kind: 'user', userId: person.userId, workspaceId: person.workspaceId };
}

/** A person or an integration, as the actor of ticket work (an integration's messages are an automation's). */
export function teamActorOf(caller: Caller): TeamActor {
  return caller.kind === 'integration'
    ? { kind: 'integration', integrationId: caller.integrationId, workspaceId: caller.workspaceId }
    : { kind: 'user', userId: caller.userId, workspaceId: caller.workspaceId };
}
