// The fake's message templates: the §A.6 template objects a test seeds per WhatsApp Business Account,
// listed with Graph cursor paging, and checked against template sends the way Meta refuses them
// (132001 missing or not approved, 132015 paused, 132016 disabled, 132000 wrong parameter count,
// 132012 wrong parameter kind).
import { whatsappError, type GraphErrorAnswer } from './graph-errors.js';
import type { TemplateComponentRequest, TemplateRequest } from './send-body.js';

export interface TemplateButtonDefinition {
  type: string;
  text?: string;
  url?: string;
  phone_number?: string;
  example?: string[];
  [field: string]: unknown;
}

export interface TemplateComponentDefinition {
  type: string;
  format?: string;
  text?: string;
  example?: Record<string, unknown>;
  buttons?: TemplateButtonDefinition[];
  [field: string]: unknown;
}

/** A template object exactly as `GET /{waba-id}/message_templates` returns it; `id` is made up when absent. */
export interface FakeTemplate {
  id?: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDefinition[];
  [field: string]: unknown;
}

export interface TemplatePage {
  data: Record<string, unknown>[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

const PLACEHOLDER = /\{\{\s*([a-z0-9_]+)\s*\}\}/gi;
const MEDIA_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

function placeholderCount(text: string | undefined): number {
  return new Set([...(text ?? '').matchAll(PLACEHOLDER)].map((m) => m[1])).size;
}

// Graph cursors are opaque base64; these carry the position of an item in the list.
export function cursorOf(position: number): string {
  return Buffer.from(`fake-graph-cursor:${position}`).toString('base64');
}

function positionOf(cursor: string): number | null {
  const match = /^fake-graph-cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match ? Number(match[1]) : null;
}

/** One page of templates; `pageUrl(query)` builds the absolute `next`/`previous` links back to the fake. */
export function templatePage(
  templates: FakeTemplate[],
  query: URLSearchParams,
  pageUrl: (query: URLSearchParams) => string,
): { ok: true; page: TemplatePage } | { ok: false; error: GraphErrorAnswer } {
  const limitText = query.get('limit');
  const limit = limitText === null ? 25 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) return { ok: false, error: whatsappError(100, "Param limit must be a positive integer.") };
  const after = query.get('after');
  const before = query.get('before');
  let start: number;
  let end: number;
  if (after !== null) {
    const position = positionOf(after);
    if (position === null) return { ok: false, error: whatsappError(100, "Param after is not a valid cursor.") };
    start = position + 1;
    end = Math.min(templates.length, start + limit);
  } else if (before !== null) {
    const position = positionOf(before);
    if (position === null) return { ok: false, error: whatsappError(100, "Param before is not a valid cursor.") };
    end = Math.min(position, templates.length);
    start = Math.max(0, end - limit);
  } else {
    start = 0;
    end = Math.min(templates.length, limit);
  }
  const fields = query.get('fields')?.split(',').map((f) => f.trim()).filter(Boolean);
  const data = templates.slice(start, end).map((template) => pickFields(template, fields));
  if (data.length === 0) return { ok: true, page: { data } };
  const link = (key: 'after' | 'before', cursor: string) => {
    const next = new URLSearchParams(query);
    next.delete('after');
    next.delete('before');
    next.set(key, cursor);
    return pageUrl(next);
  };
  const cursors = { before: cursorOf(start), after: cursorOf(end - 1) };
  return {
    ok: true,
    page: {
      data,
      paging: {
        cursors,
        ...(end < templates.length ? { next: link('after', cursors.after) } : {}),
        ...(start > 0 ? { previous: link('before', cursors.before) } : {}),
      },
    },
  };
}

function pickFields(template: FakeTemplate, fields: string[] | undefined): Record<string, unknown> {
  if (!fields?.length) return { ...template };
  // Graph always answers with the node's id, asked for or not.
  const picked: Record<string, unknown> = { id: template.id };
  for (const field of fields) if (template[field] !== undefined) picked[field] = template[field];
  return picked;
}

function countMismatch(component: string, got: number, expected: number): GraphErrorAnswer {
  return whatsappError(132000, `${component}: number of localizable_params (${got}) does not match the expected number of params (${expected})`);
}

function checkHeader(definition: TemplateComponentDefinition | undefined, request: TemplateComponentRequest | undefined): GraphErrorAnswer | null {
  const params = request?.parameters ?? [];
  const format = definition?.format?.toUpperCase();
  if (format && MEDIA_FORMATS.has(format)) {
    if (params.length !== 1) return countMismatch('header', params.length, 1);
    const kind = format.toLowerCase();
    const media = params[0]![kind] as Record<string, unknown> | undefined;
    if (params[0]!.type !== kind || typeof media !== 'object' || media === null || (typeof media.id !== 'string' && typeof media.link !== 'string')) {
      return whatsappError(132012, `header: parameter of type ${String(params[0]!.type)} does not match the expected format ${format}`);
    }
    return null;
  }
  const expected = format === 'TEXT' || (definition && !format) ? placeholderCount(definition?.text) : 0;
  if (params.length !== expected) return countMismatch('header', params.length, expected);
  return textParams('header', params);
}

function textParams(component: string, params: Record<string, unknown>[]): GraphErrorAnswer | null {
  for (const param of params) {
    const ok = (param.type === 'text' && typeof param.text === 'string') || param.type === 'currency' || param.type === 'date_time';
    if (!ok) return whatsappError(132012, `${component}: parameter of type ${String(param.type)} does not match the expected format TEXT`);
  }
  return null;
}

function checkButtons(definitions: TemplateButtonDefinition[], requests: TemplateComponentRequest[]): GraphErrorAnswer | null {
  for (const request of requests) {
    const index = Number(request.index);
    const definition = definitions[index];
    if (!definition) return whatsappError(132000, `button at index ${String(request.index)} does not exist in the template`);
    if (request.sub_type?.toUpperCase() !== definition.type.toUpperCase()) {
      return whatsappError(132012, `button at index ${index}: sub_type ${String(request.sub_type)} does not match the button type ${definition.type}`);
    }
  }
  for (const [index, definition] of definitions.entries()) {
    const request = requests.find((r) => Number(r.index) === index);
    const params = request?.parameters ?? [];
    const type = definition.type.toUpperCase();
    if (type === 'URL') {
      const expected = placeholderCount(definition.url);
      if (params.length !== expected) return countMismatch(`button at index ${index}`, params.length, expected);
    }
    if (type === 'COPY_CODE' && params.length !== 1) return countMismatch(`button at index ${index}`, params.length, 1);
    if (type === 'QUICK_REPLY' && params.some((p) => p.type !== 'payload' || typeof p.payload !== 'string')) {
      return whatsappError(132012, `button at index ${index}: a quick reply takes a payload parameter`);
    }
  }
  return null;
}

/** Whether Meta would accept this template send; the error it would answer otherwise. */
export function checkTemplateSend(templates: FakeTemplate[], request: TemplateRequest): GraphErrorAnswer | null {
  const template = templates.find((t) => t.name === request.name && t.language === request.language.code);
  if (!template) return whatsappError(132001, `template name (${request.name}) does not exist in ${request.language.code}`);
  const status = template.status.toUpperCase();
  if (status === 'PAUSED') return whatsappError(132015, `template name (${request.name}) is paused`);
  if (status === 'DISABLED') return whatsappError(132016, `template name (${request.name}) is disabled`);
  if (status !== 'APPROVED') return whatsappError(132001, `template name (${request.name}) does not exist in ${request.language.code} (status ${status})`);
  const components = request.components ?? [];
  const definition = (type: string) => template.components.find((c) => c.type.toUpperCase() === type);
  const headerRequests = components.filter((c) => c.type === 'header');
  const bodyRequests = components.filter((c) => c.type === 'body');
  if (headerRequests.length > 1 || bodyRequests.length > 1) return whatsappError(100, 'A template component type appears more than once.');
  const header = definition('HEADER');
  if (!header && headerRequests.length) return countMismatch('header', headerRequests[0]!.parameters?.length ?? 0, 0);
  if (header) {
    const refused = checkHeader(header, headerRequests[0]);
    if (refused) return refused;
  }
  const bodyParams = bodyRequests[0]?.parameters ?? [];
  const expectedBody = placeholderCount(definition('BODY')?.text);
  if (bodyParams.length !== expectedBody) return countMismatch('body', bodyParams.length, expectedBody);
  const bodyRefused = textParams('body', bodyParams);
  if (bodyRefused) return bodyRefused;
  return checkButtons(definition('BUTTONS')?.buttons ?? [], components.filter((c) => c.type === 'button'));
}
