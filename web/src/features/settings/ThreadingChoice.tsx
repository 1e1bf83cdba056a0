// An email channel's threading: whether a customer's mail joins their active ticket whatever it is about,
// or a mail starting another conversation opens a ticket of its own. Part of the channel's edit form;
// saved with the channel's settings.
import type { ThreadingMode } from '../../lib/types.js';
import { ChoiceFieldset, type Choice } from './ChoiceFieldset.js';

export const THREADING_FIELD = 'threading';

const MODES: Choice<ThreadingMode>[] = [
  { value: 'sender', label: 'By sender', explanation: 'Every mail from a customer joins their active ticket, whatever its subject.' },
  {
    value: 'conversation',
    label: 'By conversation',
    explanation: "A mail on a new subject that answers none of the team's mails starts a new ticket; the customer's active ticket is closed and the new one continues it.",
  },
];

/** The channel's threading: by sender unless an admin chose by conversation (as the server reads it). */
export function threadingOf(settings: Record<string, unknown>): ThreadingMode {
  return MODES.find((m) => m.value === settings.threading)?.value ?? 'sender';
}

export function threadingLabel(mode: ThreadingMode): string {
  return MODES.find((m) => m.value === mode)?.label ?? mode;
}

/** The two choices as radio buttons named `threading`, each with its one-line explanation. */
export function ThreadingChoice({ current }: { current: ThreadingMode }) {
  return <ChoiceFieldset legend="Threading" hint="Which ticket a customer's mail joins." name={THREADING_FIELD} choices={MODES} current={current} />;
}
