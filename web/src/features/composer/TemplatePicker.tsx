// Choosing an approved WhatsApp template and filling its parameters, with the text the customer will read.
import { useEffect, useState } from 'react';
import { ErrorNote, Loading } from '../../components/Notice.js';
import { get } from '../../lib/api.js';
import type { Template } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { parameterKey, renderTemplate } from './template-text.js';

export interface TemplateChoice {
  template: Template;
  values: Record<string, string>;
}

export function TemplatePicker({ channelId, onChange }: { channelId: string; onChange(choice: TemplateChoice | null): void }) {
  const templates = useLoad(() => get<{ templates: Template[] }>(`/api/channels/${channelId}/templates?usable=true`).then((r) => r.templates), channelId);
  const [selectedId, setSelectedId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const template = templates.data?.find((t) => t.id === selectedId) ?? null;

  useEffect(() => {
    onChange(template ? { template, values } : null);
  }, [template, values, onChange]);

  if (templates.error) return <ErrorNote>{templates.error}</ErrorNote>;
  if (!templates.data) return <Loading what="templates" />;
  if (templates.data.length === 0) return <p className="empty">This channel has no approved templates yet. An admin can sync them from WhatsApp in Settings.</p>;

  return (
    <div className="template-picker">
      <label>
        Template
        <select
          aria-label="Template"
          value={selectedId}
          onChange={(e) => {
            setSelectedId(e.target.value);
            setValues({});
          }}
        >
          <option value="">Choose an approved template…</option>
          {templates.data.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.language})
            </option>
          ))}
        </select>
      </label>
      {template && (
        <>
          {template.parameters.length > 0 && (
            <fieldset className="template-parameters">
              <legend>Fill in the template</legend>
              {template.parameters.map((parameter) => {
                const key = parameterKey(parameter);
                const label = parameter.component === 'button' ? `Button ${(parameter.index ?? 0) + 1}: ${parameter.name.replace('_', ' ')}` : `${parameter.component === 'header' ? 'Header' : 'Body'} {{${parameter.name}}}`;
                if (parameter.type !== 'text' && parameter.type !== 'payload' && parameter.type !== 'coupon_code') {
                  return (
                    <p key={key} className="muted">
                      This template's header takes {parameter.type === 'image' ? 'an image' : `a ${parameter.type}`}; it cannot be sent from here yet.
                    </p>
                  );
                }
                return (
                  <label key={key}>
                    {label}
                    {parameter.optional ? ' (optional)' : ''}
                    <input value={values[key] ?? ''} placeholder={parameter.example ?? ''} onChange={(e) => setValues({ ...values, [key]: e.target.value })} />
                  </label>
                );
              })}
            </fieldset>
          )}
          <div className="template-preview" aria-label="Preview">
            <span className="label">Preview</span>
            <p>{renderTemplate(template, values)}</p>
            {template.buttons.length > 0 && (
              <div className="template-buttons">
                {template.buttons.map((b, i) => (
                  <span key={i} className="chip">
                    {b.text}
                  </span>
                ))}
              </div>
            )}
          </div>
        </>
      )}
    </div>
  );
}
