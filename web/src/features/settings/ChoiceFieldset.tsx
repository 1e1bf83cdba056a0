// One setting as radio buttons: a legend, a hint, and each choice with its one-line explanation (read with
// the choice by screen readers). In a channel's edit form it is saved with the form it sits in; given
// `onChange`, the page holding it keeps the choice itself.
import { useId } from 'react';

export interface Choice<T extends string> {
  value: T;
  label: string;
  explanation: string;
}

export interface ChoiceFieldsetProps<T extends string> {
  legend: string;
  hint: string;
  name: string;
  choices: Choice<T>[];
  current: T;
  /** Makes the choice controlled: called with the value picked. */
  onChange?(value: T): void;
  /** Shown but not changeable (people who may only read the setting). */
  disabled?: boolean;
}

export function ChoiceFieldset<T extends string>({ legend, hint, name, choices, current, onChange, disabled }: ChoiceFieldsetProps<T>) {
  const id = useId();
  return (
    <fieldset className="channel-choice" disabled={disabled}>
      <legend>{legend}</legend>
      <p className="hint">{hint}</p>
      {choices.map(({ value, label, explanation }) => (
        <div key={value} className="choice">
          <label className="inline">
            <input
              type="radio"
              name={name}
              value={value}
              {...(onChange ? { checked: value === current, onChange: () => onChange(value) } : { defaultChecked: value === current })}
              aria-describedby={`${id}-${value}`}
            />
            {label}
          </label>
          <p id={`${id}-${value}`} className="hint">
            {explanation}
          </p>
        </div>
      ))}
    </fieldset>
  );
}
