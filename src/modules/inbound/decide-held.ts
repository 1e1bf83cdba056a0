// A person's decision about a held message: released, the stored delivery is read again and the message
// reaches its ticket (one held for an unverified sender as if it were verified, still showing the verdict;
// automated mail as a person's mail); discarded, it stays recorded here only. Mail held because it names no
// sender can only be discarded: read again it would still belong to nobody (409 HELD_WITHOUT_SENDER).
import { DomainError, notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { decideHeld, findHeld, type HeldInboundView } from './held-inbound.repo.js';
import { readPayloadAgain } from './inbound-payload.repo.js';

export async function decideHeldMessage(deps: Pick<Deps, 'store' | 'clock'>, caller: { workspaceId: string; userId: string }, id: string, decision: 'released' | 'discarded'): Promise<HeldInboundView> {
  const held = await findHeld(deps.store.db, caller.workspaceId, id);
  if (!held) throw notFound('The held message');
  if (decision === 'released' && held.reason === 'no_sender') {
    throw new DomainError({ code: 'HELD_WITHOUT_SENDER', message: 'This mail names no sender address, so it cannot reach a ticket; it can only be discarded.' });
  }
  const now = deps.clock.now();
  const decided = await deps.store.unit(async (trx) => {
    if (!(await decideHeld(trx, id, decision, caller.userId, now))) return false;
    if (decision === 'released') await readPayloadAgain(trx, held.payloadId, now);
    return true;
  });
  if (!decided) throw new DomainError({ code: 'ALREADY_DECIDED', message: `This message was already ${held.decision ?? 'decided'}.` });
  return (await findHeld(deps.store.db, caller.workspaceId, id))!;
}
