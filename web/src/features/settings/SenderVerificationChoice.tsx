// An email channel's sender verification: what happens to mail whose sender fails its domain's checks
// (SPF, DKIM, DMARC). Part of the channel's edit form; saved with the channel's settings.
import { useId } from 'react';
import type { SenderVerificationMode } from '../../lib/types.js';

export const SENDER_VERIFICATION_FIELD = 'senderVerification';

const MODES: { mode: SenderVerificationMode; label: string; explanation: string }[] = [
  { mode: 'off', label: 'Off', explanation: 'Mail is not checked: every From address is trusted and joins its conversation as it always did.' },
  {
    mode: 'mark',
    label: 'Mark unverified senders',
    explanation: "Agents see a warning on mail whose sender could not be verified; it never joins a customer's open ticket unless an admin releases it.",
  },
  {
    mode: 'quarantine',
    label: 'Hold unverified mail for an admin',
    explanation: 'Every mail whose sender could not be verified waits under Held mail until an admin releases it to its ticket or discards it.',
  },
];

/** The channel's mode: 'mark' unless an admin chose another (as the server reads it). */
export function senderVerificationOf(settings: Record<string, unknown>): SenderVerificationMode {
  return MODES.find((m) => m.mode === settings.senderVerification)?.mode ?? 'mark';
}

export function senderVerificationLabel(mode: SenderVerificationMode): string {
  return MODES.find((m) => m.mode === mode)?.label ?? mode;
}

/** The three choices as radio buttons named `senderVerification`, each with its one-line explanation. */
export function SenderVerificationChoice({ current }: { current: SenderVerificationMode }) {
  const id = useId();
  return (
    <fieldset className="sender-verification">
      <legend>Sender verification</legend>
      <p className="hint">What to do with mail whose sender fails its domain's checks (SPF, DKIM, DMARC), which is how forged From addresses are caught.</p>
      {MODES.map(({ mode, label, explanation }) => (
        <div key={mode} className="choice">
          <label className="inline">
            <input type="radio" name={SENDER_VERIFICATION_FIELD} value={mode} defaultChecked={mode === current} aria-describedby={`${id}-${mode}`} />
            {label}
          </label>
          <p id={`${id}-${mode}`} className="hint">
            {explanation}
          </p>
        </div>
      ))}
    </fieldset>
  );
}
