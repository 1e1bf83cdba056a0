// How the team's messages are recorded and judged. A person's messages are a person's; an integration's
// are an automation's under the reply policy (design.md §1.4: Instagram's HUMAN_AGENT tag is for people
// only), recorded under the integration's name.
import type { MessagesTable } from '../../db/schema.js';
import type { TeamActor } from '../../domain/actor.js';
import type { MessageOrigin } from '../../domain/reply-policy.js';

/** How a team actor's outgoing message is recorded and judged. */
export interface Sender {
  authorKind: Extract<MessagesTable['author_kind'], 'agent' | 'integration'>;
  authorUserId: string | null;
  authorIntegrationId: string | null;
  origin: MessageOrigin;
}

export function senderOf(actor: TeamActor): Sender {
  return actor.kind === 'user'
    ? { authorKind: 'agent', authorUserId: actor.userId, authorIntegrationId: null, origin: 'agent' }
    : { authorKind: 'integration', authorUserId: null, authorIntegrationId: actor.integrationId, origin: 'automation' };
}

/** The person acting, if it is one. */
export function userIdOf(actor: TeamActor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}
