// Held mail (admins): email whose sender could not be verified and that was kept from the inbox, newest
// first, with what the check found; an admin releases each one into its ticket (still marked) or
// discards it (after confirming), and a decided one shows who decided what and when.
import { useState } from 'react';
import { Empty, ErrorNote, Loading } from '../../components/Notice.js';
import { ApiError, get, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { dateTime } from '../../lib/time.js';
import type { HeldMail } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from './use-action.js';

const LIMIT = 200;

// Why a mail was held, for reasons other than an unverified sender (whose verdict says why).
const HELD_REASONS: Record<string, string> = {
  automated: 'Written by a machine (an auto-reply, list mail or a delivery report) and its sender has no open ticket. Release it to open a ticket.',
  no_sender: 'The mail names no sender address, so it cannot reach a ticket; it can only be discarded.',
};

export function HeldMailSettings() {
  const held = useLoad(() => get<{ items: HeldMail[] }>(`/api/inbound-payloads?state=held&limit=${LIMIT}`).then((r) => [...r.items].sort((a, b) => b.receivedAt - a.receivedAt)), 'held-mail');
  const decided = (item: HeldMail) => held.setData((items) => items?.map((i) => (i.id === item.id ? item : i)));
  const waiting = held.data?.filter((item) => item.decision === null).length ?? 0;

  return (
    <section aria-labelledby="held-mail-title">
      <h2 id="held-mail-title">Held mail</h2>
      <ErrorNote>{held.error}</ErrorNote>
      {!held.data && !held.error && <Loading what="held mail" />}
      {held.data?.length === 0 && (
        <Empty>
          No held mail. An email whose sender cannot be verified (the domain in its From address does not vouch for it) waits here when it would otherwise write into a customer's open
          ticket, or always on a channel set to hold unverified mail, until an admin releases it to its ticket or discards it.
        </Empty>
      )}
      {held.data && held.data.length > 0 && (
        <>
          <p className="muted held-intro">
            These emails were held because their sender could not be verified: the domain in the From address does not vouch for them, so they may be forged. Release one you trust: it
            reaches its ticket, still marked "Unverified sender". Discard a forged one: it reaches no ticket and stays listed here.
          </p>
          <p className="held-count" role="status">
            {waiting === 0 ? 'Nothing is waiting for a decision.' : waiting === 1 ? '1 message is waiting for a decision.' : `${waiting} messages are waiting for a decision.`}
          </p>
        </>
      )}
      <ul className="settings-list held-list" aria-label="Held messages">
        {held.data?.map((item) => (
          <HeldItem key={item.id} item={item} onDecided={decided} onStale={held.reload} />
        ))}
      </ul>
      {held.data?.length === LIMIT && <p className="muted">Showing the latest {LIMIT} held messages.</p>}
    </section>
  );
}

function HeldItem({ item, onDecided, onStale }: { item: HeldMail; onDecided(item: HeldMail): void; onStale(): Promise<void> }) {
  const { channel, userName } = useDirectory();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const subject = item.subject?.trim() || '(no subject)';
  const summary = HELD_REASONS[item.reason] ?? (typeof item.verdict.summary === 'string' ? item.verdict.summary : 'The sender could not be verified.');

  const decide = async (what: 'release' | 'discard') => {
    let stale = false;
    await action.run(async () => {
      try {
        onDecided((await post<{ held: HeldMail }>(`/api/inbound-held/${encodeURIComponent(item.id)}/${what}`)).held);
      } catch (failure) {
        // Another admin decided first: show what they decided, with the reason.
        if (failure instanceof ApiError && failure.code === 'ALREADY_DECIDED') stale = true;
        throw failure;
      }
    });
    setConfirming(false);
    if (stale) await onStale();
  };

  return (
    <li className={`settings-item held-item${item.decision ? ' held-decided' : ''}`}>
      <div className="held-head">
        <bdi className="held-address">{item.address || '(no sender)'}</bdi>
        <time dateTime={new Date(item.receivedAt).toISOString()}>Received {dateTime(item.receivedAt)}</time>
      </div>
      <p className="held-subject">{subject}</p>
      <p className="held-verdict">{summary}</p>
      <p className="muted held-channel">On {channel(item.channelId)?.name ?? 'a channel that no longer exists'}</p>
      {item.decision ? (
        <p className={`held-decision held-${item.decision}`}>
          {item.decision === 'released' ? 'Released to the ticket' : 'Discarded'}
          {item.decidedByUserId ? ` by ${userName(item.decidedByUserId)}` : ''}
          {item.decidedAt ? ` · ${dateTime(item.decidedAt)}` : ''}
        </p>
      ) : confirming ? (
        <div className="held-confirm" role="group" aria-label="Confirm discarding">
          <p>Discard this mail? It will not reach any ticket; it stays listed here as discarded.</p>
          <div className="actions">
            <button type="button" className="danger" disabled={action.busy} onClick={() => void decide('discard')}>
              Yes, discard it
            </button>
            <button type="button" disabled={action.busy} onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="primary" disabled={action.busy} onClick={() => void decide('release')}>
            Release to the ticket
          </button>
          <button type="button" className="danger" disabled={action.busy} onClick={() => setConfirming(true)}>
            Discard
          </button>
        </div>
      )}
      <ErrorNote>{action.error}</ErrorNote>
    </li>
  );
}
