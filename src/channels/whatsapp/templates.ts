// Reading an approved WhatsApp template's definition (channels.md §A.6) into the parameters an agent
// fills in: header text or media, body placeholders in order, and the buttons that take a value.
import type { TemplateShape, TemplateParameter } from '../types.js';

interface Component {
  type?: string;
  format?: string;
  text?: string;
  example?: { header_text?: string[]; body_text?: string[][]; body_text_named_params?: { param_name: string; example: string }[] };
  buttons?: { type?: string; text?: string; url?: string; example?: string[] }[];
}

const PLACEHOLDER = /\{\{\s*([a-z0-9_]+)\s*\}\}/gi;
const MEDIA_HEADERS = new Map([
  ['IMAGE', 'image'],
  ['VIDEO', 'video'],
  ['DOCUMENT', 'document'],
  ['LOCATION', 'location'],
] as const);

/** Placeholder names in order of first appearance ("1", "2" or named ones). */
function placeholders(text: string | undefined): string[] {
  const names: string[] = [];
  for (const match of (text ?? '').matchAll(PLACEHOLDER)) if (!names.includes(match[1]!)) names.push(match[1]!);
  return names;
}

function textParameters(component: 'header' | 'body', text: string | undefined, examples: string[] | undefined): TemplateParameter[] {
  return placeholders(text).map((name, i) => ({ component, name, type: 'text', example: examples?.[i] ?? null }));
}

/** The parameters of a template and its text, for the template picker and for checking a send. */
export function describeWhatsappTemplate(components: unknown): TemplateShape {
  const list = Array.isArray(components) ? (components as Component[]) : [];
  const find = (type: string) => list.find((c) => c.type?.toUpperCase() === type);
  const header = find('HEADER');
  const body = find('BODY');
  const buttons = find('BUTTONS')?.buttons ?? [];
  const parameters: TemplateParameter[] = [];
  const media = header?.format ? MEDIA_HEADERS.get(header.format.toUpperCase() as 'IMAGE') : undefined;
  if (media) parameters.push({ component: 'header', name: media, type: media, example: null });
  else if (header) parameters.push(...textParameters('header', header.text, header.example?.header_text));
  const namedExamples = body?.example?.body_text_named_params;
  parameters.push(
    ...textParameters('body', body?.text, namedExamples ? placeholders(body?.text).map((n) => namedExamples.find((e) => e.param_name === n)?.example ?? '') : body?.example?.body_text?.[0]),
  );
  buttons.forEach((button, index) => {
    const type = button.type?.toUpperCase();
    if (type === 'URL' && placeholders(button.url).length) parameters.push({ component: 'button', index, name: 'url_suffix', type: 'text', example: button.example?.[0] ?? null });
    if (type === 'QUICK_REPLY') parameters.push({ component: 'button', index, name: 'payload', type: 'payload', example: null, optional: true });
    if (type === 'COPY_CODE') parameters.push({ component: 'button', index, name: 'coupon_code', type: 'coupon_code', example: button.example?.[0] ?? null });
  });
  return {
    headerText: media ? null : (header?.text ?? null),
    headerMedia: media ?? null,
    bodyText: body?.text ?? '',
    footerText: find('FOOTER')?.text ?? null,
    buttons: buttons.map((b) => ({ type: (b.type ?? 'UNKNOWN').toUpperCase(), text: b.text ?? '' })),
    parameters,
  };
}
