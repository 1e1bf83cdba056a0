// A person's decision about a message held because its sender could not be verified: released, the
// stored delivery is read again and the message reaches its ticket as if the sender were verified (still
// showing the verdict); discarded, it stays recorded here only.
import { DomainError, notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { decideHeld, findHeld, type HeldInboundView } from './held-inbound.repo.js';
import { readPayloadAgain } from './inbound-payload.repo.js';

export async function decideHeldMessage(deps: Pick<Deps, 'store' | 'clock'>, caller: { workspaceId: string; userId: string }, id: string, decision: 'released' | 'discarded'): Promise<HeldInboundView> {
  const held = await findHeld(deps.store.db, caller.workspaceId, id);
  if (!held) throw notFound('The held message');
  const now = deps.clock.now();
  const decided = await deps.store.unit(async (trx) => {
    if (!(await decideHeld(trx, id, decision, caller.userId, now))) return false;
    if (decision === 'released') await readPayloadAgain(trx, held.payloadId, now);
    return true;
  });
  if (!decided) throw new DomainError({ code: 'ALREADY_DECIDED', message: `This message was already ${held.decision ?? 'decided'}.` });
  return (await findHeld(deps.store.db, caller.workspaceId, id))!;
}
