// The WhatsApp templates each channel has synced, with their status and text.
import { Empty, ErrorNote, Loading } from '../../components/Notice.js';
import { get } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import type { Channel, Template } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';

export function TemplatesSettings() {
  const { channels } = useDirectory();
  const whatsapp = channels.filter((c) => c.kind === 'whatsapp');
  return (
    <section aria-labelledby="templates-title">
      <h2 id="templates-title">WhatsApp templates</h2>
      <p className="muted">Templates are written and approved in WhatsApp Manager; only approved ones can be sent.</p>
      {whatsapp.length === 0 && <Empty>Connect a WhatsApp channel to see its templates.</Empty>}
      {whatsapp.map((c) => (
        <ChannelTemplates key={c.id} channel={c} />
      ))}
    </section>
  );
}

function ChannelTemplates({ channel }: { channel: Channel }) {
  const templates = useLoad(() => get<{ templates: Template[] }>(`/api/channels/${channel.id}/templates`).then((r) => r.templates), channel.id);
  return (
    <div className="settings-group">
      <h3>{channel.name}</h3>
      <ErrorNote>{templates.error}</ErrorNote>
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
