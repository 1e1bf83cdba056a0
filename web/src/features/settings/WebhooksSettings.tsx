// Outgoing webhooks: subscribe a URL to events, see the last delivery or failure, rotate the secret.
import { useState, type FormEvent } from 'react';
import { Empty, ErrorNote, Loading } from '../../components/Notice.js';
import { del, get, patch, post } from '../../lib/api.js';
import { dateTime } from '../../lib/time.js';
import type { Webhook } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from './use-action.js';

const EVENT_TYPES = ['ticket.created', 'ticket.updated', 'message.created', 'message.status'];

export function WebhooksSettings() {
  const webhooks = useLoad(() => get<{ webhooks: Webhook[] }>('/api/webhooks').then((r) => r.webhooks), 'webhooks');
  const action = useAction();
  const [secret, setSecret] = useState<string | null>(null);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const body = { url: String(form.get('url')), eventTypes: form.getAll('eventTypes').map(String), description: String(form.get('description') ?? '') || undefined };
    if (await action.run(async () => setSecret((await post<{ secret?: string }>('/api/webhooks', body)).secret ?? null))) {
      element.reset();
      await webhooks.reload();
    }
  };
  const rotate = (id: string) => action.run(async () => setSecret((await post<{ secret: string }>(`/api/webhooks/${id}/rotate-secret`)).secret));

  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Outgoing webhooks</h2>
      <ErrorNote>{webhooks.error ?? action.error}</ErrorNote>
      {!webhooks.data && !webhooks.error && <Loading what="webhooks" />}
      {webhooks.data?.length === 0 && <Empty>No webhooks. Add one to send ticket and message events to your own systems.</Empty>}
      <ul className="settings-list">
        {webhooks.data?.map((w) => (
          <li key={w.id} className="settings-item">
            <div className="item-head">
              <code>{w.url}</code>
              <span className="muted">
                {w.eventTypes.join(', ')}
                {w.enabled ? '' : ' · switched off'}
              </span>
              <button type="button" onClick={() => void action.run(() => patch(`/api/webhooks/${w.id}`, { enabled: !w.enabled })).then(webhooks.reload)}>
                {w.enabled ? 'Switch off' : 'Switch on'}
              </button>
              <button type="button" onClick={() => void rotate(w.id)}>
                New secret
              </button>
              <button type="button" className="danger" onClick={() => void action.run(() => del(`/api/webhooks/${w.id}`)).then(webhooks.reload)}>
                Delete
              </button>
            </div>
            <p className="muted">
              {w.lastDeliveryAt ? `Last delivered ${dateTime(w.lastDeliveryAt)}.` : 'Nothing delivered yet.'}
              {w.lastFailureAt && ` Last failure ${dateTime(w.lastFailureAt)}: ${w.lastFailureReason ?? 'unknown reason'}.`}
            </p>
          </li>
        ))}
      </ul>
      {secret && (
        <p className="info-note" role="status">
          Signing secret: <code>{secret}</code>. Copy it now; it will not be shown again.
        </p>
      )}
      <form className="stack new-item" onSubmit={create} aria-labelledby="new-webhook-title">
        <h3 id="new-webhook-title">Add a webhook</h3>
        <label>
          URL
          <input name="url" type="url" required placeholder="https://example.com/threadbox" />
        </label>
        <fieldset>
          <legend>Events</legend>
          {EVENT_TYPES.map((type) => (
            <label key={type} className="inline">
              <input type="checkbox" name="eventTypes" value={type} defaultChecked /> {type}
            </label>
          ))}
        </fieldset>
        <label>
          Description (optional)
          <input name="description" maxLength={500} />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Add webhook
        </button>
      </form>
    </section>
  );
}
