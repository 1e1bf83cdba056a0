// Who really sent an email, as checking its sender (SPF, DKIM, DMARC) found: an unverified sender gets a
// notice on the message that no agent can miss, placed above its text (never over it); a verified one a
// quiet mark that opens onto what was checked; an unknown result shows nothing.
import type { Message, SenderCheck } from '../../lib/types.js';

/** The message's sender check, when it was checked. */
export function senderCheckOf(message: Message): SenderCheck | null {
  const value = message.data?.senderCheck;
  if (!value || typeof value !== 'object') return null;
  const check = value as Partial<SenderCheck>;
  if (typeof check.summary !== 'string' || typeof check.authenticity !== 'string') return null;
  return check as SenderCheck;
}

/** Whether the message shows the unverified-sender notice. */
export function showsUnverified(check: SenderCheck | null): check is SenderCheck {
  return check?.unverified === true;
}

/** Whether the message shows the quiet "Sender verified" mark. */
export function showsVerified(check: SenderCheck | null): check is SenderCheck {
  return check !== null && check.unverified !== true && check.authenticity === 'verified';
}

/** The notice on a message whose sender is treated as unverified. */
export function UnverifiedSenderNotice({ check }: { check: SenderCheck }) {
  return (
    <div className="sender-unverified" role="note" aria-label="Unverified sender">
      <p className="sender-unverified-title">
        <span aria-hidden="true">⚠</span> <strong>Unverified sender</strong>
        {check.released && <span className="sender-released"> · released by an admin</span>}
      </p>
      <p>{check.summary}</p>
      <p className="sender-advice">This mail may not come from the address it shows. Confirm who wrote it before you share account details or act on what it asks.</p>
      <CheckDetails check={check} />
    </div>
  );
}

/** The quiet mark on a message whose sender was verified; it opens onto the summary and the checks. */
export function VerifiedSenderMark({ check }: { check: SenderCheck }) {
  return (
    <details className="sender-verified">
      <summary title={check.summary} aria-description={check.summary}>
        <span aria-hidden="true">✓</span> Sender verified
      </summary>
      <p>{check.summary}</p>
      <CheckList check={check} />
    </details>
  );
}

const RESULT: Record<string, string> = { pass: 'passed', fail: 'failed', softfail: 'soft fail', neutral: 'neutral', none: 'none', temperror: 'temporary error', permerror: 'permanent error', policy: 'policy' };

/** What each check found, folded until the agent wants to know why. */
function CheckDetails({ check }: { check: SenderCheck }) {
  if (checkRows(check).length === 0) return null;
  return (
    <details className="sender-checks">
      <summary>What was checked</summary>
      <CheckList check={check} />
    </details>
  );
}

function CheckList({ check }: { check: SenderCheck }) {
  const rows = checkRows(check);
  if (rows.length === 0) return null;
  return (
    <dl className="sender-check-list">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function checkRows(check: SenderCheck): [string, string][] {
  const result = (value: string | undefined) => (value ? (RESULT[value] ?? value) : null);
  const forDomain = (domain: string | null | undefined) => (domain ? ` for ${domain}` : '');
  const rows: [string, string][] = [];
  if (check.fromDomain) rows.push(['From domain', check.fromDomain]);
  if (check.dmarc) rows.push(['DMARC', `${result(check.dmarc)}${check.dmarcPolicy ? ` (policy: ${check.dmarcPolicy})` : ''}`]);
  if (check.spf) rows.push(['SPF', `${result(check.spf)}${forDomain(check.spfDomain)}`]);
  if (check.dkim) rows.push(['DKIM', `${result(check.dkim)}${forDomain(check.dkimDomain)}`]);
  if (check.arc && check.arc !== 'none') rows.push(['ARC', result(check.arc) ?? check.arc]);
  if (check.reportedBy) rows.push(['Checked by', check.reportedBy]);
  return rows;
}
