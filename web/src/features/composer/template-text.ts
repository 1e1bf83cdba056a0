// A WhatsApp template filled with the agent's values: the preview shown while typing, and the
// parameters the API sends.
import type { Template, TemplateParameter } from '../../lib/types.js';

/** Where an input's value is kept: "header:1", "body:2", "button:0:url_suffix". */
export function parameterKey(parameter: TemplateParameter): string {
  return parameter.component === 'button' ? `button:${parameter.index ?? 0}:${parameter.name}` : `${parameter.component}:${parameter.name}`;
}

const PLACEHOLDER = /\{\{\s*([a-z0-9_]+)\s*\}\}/gi;

function fill(text: string, component: 'header' | 'body', values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[`${component}:${name}`]?.trim();
    return value ? value : whole;
  });
}

/** The text the customer will read, with every filled placeholder replaced. */
export function renderTemplate(template: Template, values: Record<string, string>): string {
  const parts = [template.headerText ? fill(template.headerText, 'header', values) : null, fill(template.bodyText, 'body', values), template.footerText];
  return parts.filter((part): part is string => Boolean(part)).join('\n\n');
}

/** The required parameters still empty. */
export function missingParameters(template: Template, values: Record<string, string>): TemplateParameter[] {
  return template.parameters.filter((p) => !p.optional && p.type === 'text' && !values[parameterKey(p)]?.trim());
}

/**
 * The parameters as the send API takes them: header and body values by placeholder name
 * (`{ "body": { "1": "Jane" } }`), button values as `{ index, value }`.
 */
export function templateParameters(template: Template, values: Record<string, string>): Record<string, unknown> {
  const byName = (component: 'header' | 'body') =>
    Object.fromEntries(template.parameters.filter((p) => p.component === component && p.type === 'text').map((p) => [p.name, values[parameterKey(p)]?.trim() ?? '']));
  const result: Record<string, unknown> = {};
  const header = byName('header');
  const body = byName('body');
  const buttons = template.parameters
    .filter((p) => p.component === 'button')
    .map((p) => ({ index: p.index ?? 0, value: values[parameterKey(p)]?.trim() ?? '' }))
    .filter((b) => b.value);
  if (Object.keys(header).length) result.header = header;
  if (Object.keys(body).length) result.body = body;
  if (buttons.length) result.buttons = buttons;
  return result;
}
