// The signed-in person's API tokens, for scripts and integrations; a new token is shown once.
import { useState, type FormEvent } from 'react';
import { Empty, ErrorNote } from '../../components/Notice.js';
import { del, get, post } from '../../lib/api.js';
import { dateTime } from '../../lib/time.js';
import type { ApiTokenView } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from './use-action.js';

export function TokensSettings() {
  const tokens = useLoad(() => get<{ apiTokens: ApiTokenView[] }>('/api/tokens').then((r) => r.apiTokens), 'tokens');
  const action = useAction();
  const [secret, setSecret] = useState<string | null>(null);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const name = String(new FormData(element).get('name'));
    if (await action.run(async () => setSecret((await post<{ token: string }>('/api/tokens', { name })).token))) {
      element.reset();
      await tokens.reload();
    }
  };

  const live = tokens.data?.filter((t) => t.revokedAt === null) ?? [];
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">A token acts as you. Send it as “Authorization: Bearer …”.</p>
      <ErrorNote>{tokens.error ?? action.error}</ErrorNote>
      {tokens.data && live.length === 0 && <Empty>You have no API tokens.</Empty>}
      <ul className="settings-list">
        {live.map((t) => (
          <li key={t.id} className="settings-item">
            <div className="item-head">
              <strong>{t.name}</strong>
              <span className="muted">
                created {dateTime(t.createdAt)} · {t.lastUsedAt ? `last used ${dateTime(t.lastUsedAt)}` : 'never used'}
              </span>
              <button type="button" className="danger" onClick={() => void action.run(() => del(`/api/tokens/${t.id}`)).then(tokens.reload)}>
                Revoke
              </button>
            </div>
          </li>
        ))}
      </ul>
      {secret && (
        <p className="info-note" role="status">
          Your new token: <code>{secret}</code>. Copy it now; it will not be shown again.
        </p>
      )}
      <form className="stack new-item" onSubmit={create}>
        <label>
          New token name
          <input name="name" required maxLength={100} placeholder="Order sync script" />
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Create token
        </button>
      </form>
    </section>
  );
}
