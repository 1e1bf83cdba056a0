// An email channel's sender verification: what happens to mail whose sender fails its domain's checks
// (SPF, DKIM, DMARC). Part of the channel's edit form; saved with the channel's settings.
import type { SenderVerificationMode } from '../../lib/types.js';
import { ChoiceFieldset, type Choice } from './ChoiceFieldset.js';

export const SENDER_VERIFICATION_FIELD = 'senderVerification';

const MODES: Choice<SenderVerificationMode>[] = [
  { value: 'off', label: 'Off', explanation: 'Mail is not checked: every From address is trusted and joins its conversation as it always did.' },
  {
    value: 'mark',
    label: 'Mark unverified senders',
    explanation: "Agents see a warning on mail whose sender could not be verified; it never joins a customer's open ticket unless an admin releases it.",
  },
  {
    value: 'quarantine',
    label: 'Hold unverified mail for an admin',
    explanation: 'Every mail whose sender could not be verified waits under Held mail until an admin releases it to its ticket or discards it.',
  },
];

/** The channel's mode: 'mark' unless an admin chose another (as the server reads it). */
export function senderVerificationOf(settings: Record<string, unknown>): SenderVerificationMode {
  return MODES.find((m) => m.value === settings.senderVerification)?.value ?? 'mark';
}

export function senderVerificationLabel(mode: SenderVerificationMode): string {
  return MODES.find((m) => m.value === mode)?.label ?? mode;
}

/** The three choices as radio buttons named `senderVerification`, each with its one-line explanation. */
export function SenderVerificationChoice({ current }: { current: SenderVerificationMode }) {
  return (
    <ChoiceFieldset
      legend="Sender verification"
      hint="What to do with mail whose sender fails its domain's checks (SPF, DKIM, DMARC), which is how forged From addresses are caught."
      name={SENDER_VERIFICATION_FIELD}
      choices={MODES}
      current={current}
    />
  );
}
