// The WhatsApp templates each channel has synced, with their status and text, and a sync on demand.
import { useState } from 'react';
import { Empty, ErrorNote, Loading } from '../../components/Notice.js';
import { get, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import type { Channel, Template } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from './use-action.js';

export function TemplatesSettings() {
  const { channels } = useDirectory();
  const whatsapp = channels.filter((c) => c.kind === 'whatsapp');
  return (
    <section aria-labelledby="templates-title">
      <h2 id="templates-title">WhatsApp templates</h2>
      <p className="muted">Templates are written and approved in WhatsApp Manager and synced from there every few hours; only approved ones can be sent.</p>
      {whatsapp.length === 0 && <Empty>Connect a WhatsApp channel to see its templates.</Empty>}
      {whatsapp.map((c) => (
        <ChannelTemplates key={c.id} channel={c} />
      ))}
    </section>
  );
}

function ChannelTemplates({ channel }: { channel: Channel }) {
  const templates = useLoad(() => get<{ templates: Template[] }>(`/api/channels/${channel.id}/templates`).then((r) => r.templates), channel.id);
  const sync = useAction();
  const [synced, setSynced] = useState<string | null>(null);
  const syncNow = () =>
    sync.run(async () => {
      const answer = await post<{ synced: number; removed: number; templates: Template[] }>(`/api/channels/${channel.id}/templates/sync`);
      templates.setData(() => answer.templates);
      setSynced(`${answer.synced} template${answer.synced === 1 ? '' : 's'} synced${answer.removed ? `, ${answer.removed} no longer in WhatsApp` : ''}.`);
    });
  return (
    <div className="settings-group">
      <div className="item-head">
        <h3>{channel.name}</h3>
        <button type="button" disabled={sync.busy} onClick={() => void syncNow()}>
          {sync.busy ? 'Syncing…' : 'Sync from WhatsApp'}
        </button>
      </div>
      {synced && <p className="info-note" role="status">{synced}</p>}
      <ErrorNote>{templates.error ?? sync.error}</ErrorNote>
      {!templates.data && !templates.error && <Loading what="templates" />}
      {templates.data?.length === 0 && <Empty>No templates synced for this number yet.</Empty>}
      <ul className="settings-list">
        {templates.data?.map((t) => (
          <li key={t.id} className="settings-item">
            <div className="item-head">
              <strong>{t.name}</strong>
              <span className="muted">
                {t.language} · {t.category.toLowerCase()} · {t.usable ? 'approved' : t.status.toLowerCase()}
              </span>
            </div>
            <p className="template-text">{[t.headerText, t.bodyText, t.footerText].filter(Boolean).join('\n\n')}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
