// What agents do to a contact outside a ticket.
import { notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import type { UserActor } from '../tickets/start-ticket.js';
import { normalizeTags } from '../tickets/ticket-actions.js';
import { lockContact, replaceContactTags } from './contact.repo.js';

/** Replaces a contact's own tags (kept apart from the tags of its tickets). */
export async function setContactTags(deps: Pick<Deps, 'store' | 'clock'>, actor: UserActor, contactId: string, tags: string[]): Promise<string[]> {
  const next = normalizeTags(tags);
  return deps.store.unit(async (trx) => {
    if (!(await lockContact(trx, actor.workspaceId, contactId, deps.clock.now()))) throw notFound('The contact');
    await replaceContactTags(trx, actor.workspaceId, contactId, next);
    return next;
  });
}
