// Channels: connect one (sandbox or real), see the webhook address and verify token to paste into
// Meta, rename, switch off and on, replace its secrets, choose an email channel's sender verification
// and threading, and open an Instagram channel's comment rules.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ChannelIcon, channelKindLabel } from '../../components/ChannelIcon.js';
import { Empty, ErrorNote } from '../../components/Notice.js';
import { patch, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import type { Channel, ChannelKind } from '../../lib/types.js';
import { SENDER_VERIFICATION_FIELD, SenderVerificationChoice, senderVerificationLabel, senderVerificationOf } from './SenderVerificationChoice.js';
import { THREADING_FIELD, ThreadingChoice, threadingLabel, threadingOf } from './ThreadingChoice.js';
import { useAction } from './use-action.js';

/** The account each kind routes on, and the secrets a real (non-sandbox) channel needs. */
const SETUP: Record<ChannelKind, { accountField: string; accountLabel: string; extra: { field: string; label: string }[]; secrets: { field: string; label: string }[] }> = {
  whatsapp: {
    accountField: 'phoneNumberId',
    accountLabel: 'Phone number ID',
    extra: [
      { field: 'businessAccountId', label: 'WhatsApp Business account ID' },
      { field: 'displayPhoneNumber', label: 'Display phone number' },
    ],
    secrets: [
      { field: 'accessToken', label: 'Access token' },
      { field: 'appSecret', label: 'App secret' },
    ],
  },
  instagram: {
    accountField: 'instagramAccountId',
    accountLabel: 'Instagram account ID',
    extra: [{ field: 'username', label: 'Username' }],
    secrets: [
      { field: 'accessToken', label: 'Access token' },
      { field: 'appSecret', label: 'App secret' },
    ],
  },
  email: { accountField: 'address', accountLabel: 'Support address', extra: [{ field: 'fromName', label: 'Sender name' }], secrets: [] },
};

/** The email channel's choices in the edit form, saved into its settings. */
const EMAIL_CHOICES = [SENDER_VERIFICATION_FIELD, THREADING_FIELD];

export function ChannelsSettings() {
  const { channels, reload } = useDirectory();
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      {channels.length === 0 && <Empty>No channels yet. Connect one below; a sandbox channel works at once, with nothing to configure.</Empty>}
      <ul className="settings-list">
        {channels.map((c) => (
          <ChannelItem key={c.id} channel={c} onChanged={reload} />
        ))}
      </ul>
      <NewChannel onCreated={reload} />
    </section>
  );
}

function ChannelItem({ channel, onChanged }: { channel: Channel; onChanged(): Promise<void> }) {
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const setup = SETUP[channel.kind];

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const secrets = Object.fromEntries(setup.secrets.map((s) => [s.field, String(form.get(s.field) ?? '').trim()]).filter(([, v]) => v));
    const choices = Object.fromEntries(EMAIL_CHOICES.map((field) => [field, form.get(field)]).filter(([, value]) => typeof value === 'string'));
    const settings = channel.kind === 'email' && Object.keys(choices).length ? { settings: choices } : {};
    const ok = await action.run(() => patch(`/api/channels/${channel.id}`, { name: String(form.get('name')), ...settings, ...(Object.keys(secrets).length ? { secrets } : {}) }));
    if (ok) {
      setEditing(false);
      await onChanged();
    }
  };

  return (
    <li className="settings-item">
      <div className="item-head">
        <ChannelIcon kind={channel.kind} />
        <strong>{channel.name}</strong>
        <span className="muted">
          {channelKindLabel(channel.kind)} · {channel.sandbox ? 'sandbox' : channel.accountId} · {channel.enabled ? 'on' : 'switched off'}
        </span>
        <button type="button" onClick={() => setEditing(!editing)}>
          {editing ? 'Cancel' : 'Edit'}
        </button>
        <button type="button" disabled={action.busy} onClick={() => void action.run(() => patch(`/api/channels/${channel.id}`, { enabled: !channel.enabled })).then(onChanged)}>
          {channel.enabled ? 'Switch off' : 'Switch on'}
        </button>
      </div>
      {channel.webhook && (
        <dl className="webhook-details">
          <dt>Webhook URL (paste into Meta)</dt>
          <dd>
            <code>{channel.webhook.url}</code>
          </dd>
          <dt>Verify token</dt>
          <dd>
            <code>{channel.webhook.verifyToken}</code>
          </dd>
        </dl>
      )}
      {channel.kind === 'instagram' && (
        <p className="channel-link">
          <Link to={`/settings/channels/${encodeURIComponent(channel.id)}/comment-rules`}>Comment rules</Link>
          <span className="muted"> · which public comments open tickets, and their automatic answers</span>
        </p>
      )}
      {channel.kind === 'email' && (
        <>
          <p className="muted">Sender verification: {senderVerificationLabel(senderVerificationOf(channel.settings))}</p>
          <p className="muted">Threading: {threadingLabel(threadingOf(channel.settings))}</p>
        </>
      )}
      {!channel.sandbox && setup.secrets.length > 0 && (
        <p className="muted">Secrets set: {channel.secretsSet.length ? channel.secretsSet.join(', ') : 'none yet, so nothing can be sent'}</p>
      )}
      {editing && (
        <form className="stack" onSubmit={save}>
          <label>
            Name
            <input name="name" defaultValue={channel.name} required maxLength={100} />
          </label>
          {channel.kind === 'email' && (
            <>
              <SenderVerificationChoice current={senderVerificationOf(channel.settings)} />
              <ThreadingChoice current={threadingOf(channel.settings)} />
            </>
          )}
          {setup.secrets.map((s) => (
            <label key={s.field}>
              {s.label} (leave empty to keep)
              <input name={s.field} type="password" autoComplete="off" />
            </label>
          ))}
          <button type="submit" className="primary" disabled={action.busy}>
            Save
          </button>
        </form>
      )}
      <ErrorNote>{action.error}</ErrorNote>
    </li>
  );
}

function NewChannel({ onCreated }: { onCreated(): Promise<void> }) {
  const action = useAction();
  const [kind, setKind] = useState<ChannelKind>('whatsapp');
  const [sandbox, setSandbox] = useState(true);
  const setup = SETUP[kind];

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const text = (field: string) => String(form.get(field) ?? '').trim();
    const settings = Object.fromEntries([setup.accountField, ...setup.extra.map((e) => e.field)].map((f) => [f, text(f)]).filter(([, v]) => v));
    const secrets = Object.fromEntries(setup.secrets.map((s) => [s.field, text(s.field)]).filter(([, v]) => v));
    const ok = await action.run(() => post('/api/channels', { kind, name: text('name'), sandbox, settings, ...(Object.keys(secrets).length ? { secrets } : {}) }));
    if (ok) {
      element.reset();
      await onCreated();
    }
  };

  return (
    <form className="stack new-item" onSubmit={create} aria-labelledby="new-channel-title">
      <h3 id="new-channel-title">Connect a channel</h3>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
          <option value="whatsapp">WhatsApp</option>
          <option value="instagram">Instagram</option>
          <option value="email">Email</option>
        </select>
      </label>
      <label>
        Name
        <input name="name" required maxLength={100} placeholder={`${channelKindLabel(kind)} support`} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={sandbox} onChange={(e) => setSandbox(e.target.checked)} /> Sandbox (talks to the built-in simulator instead of {channelKindLabel(kind)})
      </label>
      {!sandbox && (
        <>
          <label>
            {setup.accountLabel}
            <input name={setup.accountField} required />
          </label>
          {setup.extra.map((e) => (
            <label key={e.field}>
              {e.label} (optional)
              <input name={e.field} />
            </label>
          ))}
          {setup.secrets.map((s) => (
            <label key={s.field}>
              {s.label}
              <input name={s.field} type="password" autoComplete="off" required />
            </label>
          ))}
        </>
      )}
      <ErrorNote>{action.error}</ErrorNote>
      <button type="submit" className="primary" disabled={action.busy}>
        Connect
      </button>
    </form>
  );
}
