// Auto-close rules: per channel, close quiet tickets after the customer or the team stopped answering.
import { useState, type FormEvent } from 'react';
import { Empty, ErrorNote, Loading } from '../../components/Notice.js';
import { del, get, patch, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { minutesAsWords } from '../../lib/time.js';
import type { AutoCloseRule } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from './use-action.js';

const KIND = { customer_inactivity: 'the customer has not answered the team', agent_inactivity: 'nobody on the team has answered the customer' } as const;
const UNIT = { minutes: 1, hours: 60, days: 24 * 60 } as const;

export function AutoCloseSettings() {
  const { channels, channel } = useDirectory();
  const rules = useLoad(() => get<{ rules: AutoCloseRule[] }>('/api/auto-close-rules').then((r) => r.rules), 'rules');
  const action = useAction();
  const [unit, setUnit] = useState<keyof typeof UNIT>('days');

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const durationMinutes = Math.round(Number(form.get('amount')) * UNIT[unit]);
    if (await action.run(() => post('/api/auto-close-rules', { channelId: form.get('channelId'), kind: form.get('kind'), durationMinutes, enabled: true }))) await rules.reload();
  };

  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Auto-close rules</h2>
      <ErrorNote>{rules.error ?? action.error}</ErrorNote>
      {!rules.data && !rules.error && <Loading what="rules" />}
      {rules.data?.length === 0 && <Empty>No rules yet: tickets stay open until someone closes them.</Empty>}
      <ul className="settings-list">
        {rules.data?.map((rule) => (
          <li key={rule.id} className="settings-item">
            <div className="item-head">
              <span>
                On <strong>{channel(rule.channelId)?.name ?? 'a removed channel'}</strong>, close a ticket when {KIND[rule.kind]} for {minutesAsWords(rule.durationMinutes)}
                {rule.enabled ? '' : ' (switched off)'}
              </span>
              <button type="button" onClick={() => void action.run(() => patch(`/api/auto-close-rules/${rule.id}`, { enabled: !rule.enabled })).then(rules.reload)}>
                {rule.enabled ? 'Switch off' : 'Switch on'}
              </button>
              <button type="button" className="danger" onClick={() => void action.run(() => del(`/api/auto-close-rules/${rule.id}`)).then(rules.reload)}>
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      <form className="stack new-item" onSubmit={create} aria-labelledby="new-rule-title">
        <h3 id="new-rule-title">Add a rule</h3>
        <label>
          Channel
          <select name="channelId" required>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Close when
          <select name="kind">
            <option value="customer_inactivity">the customer has not answered the team</option>
            <option value="agent_inactivity">nobody on the team has answered the customer</option>
          </select>
        </label>
        <div className="inline-fields">
          <label>
            for
            <input name="amount" type="number" min={1} step={1} defaultValue={3} required />
          </label>
          <select aria-label="Unit" value={unit} onChange={(e) => setUnit(e.target.value as keyof typeof UNIT)}>
            <option value="minutes">minutes</option>
            <option value="hours">hours</option>
            <option value="days">days</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={action.busy || channels.length === 0}>
          Add rule
        </button>
      </form>
    </section>
  );
}
