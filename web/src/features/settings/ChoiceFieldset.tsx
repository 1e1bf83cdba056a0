// One setting of a channel's edit form as radio buttons: a legend, a hint, and each choice with its
// one-line explanation (read with the choice by screen readers). Saved with the form it sits in.
import { useId } from 'react';

export interface Choice<T extends string> {
  value: T;
  label: string;
  explanation: string;
}

export function ChoiceFieldset<T extends string>({ legend, hint, name, choices, current }: { legend: string; hint: string; name: string; choices: Choice<T>[]; current: T }) {
  const id = useId();
  return (
    <fieldset className="channel-choice">
      <legend>{legend}</legend>
      <p className="hint">{hint}</p>
      {choices.map(({ value, label, explanation }) => (
        <div key={value} className="choice">
          <label className="inline">
            <input type="radio" name={name} value={value} defaultChecked={value === current} aria-describedby={`${id}-${value}`} />
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
