// Checking an agent's template parameters against the synced definition before anything is queued, so a
// wrong count or type is refused in the composer rather than by Meta (132000 / 132012) minutes later.
// The checked parameters are stored in the form the sender turns into components (see TemplateContent),
// and the text with its placeholders filled becomes the message body, so the thread reads naturally.
import type { TemplateParameter, TemplatePreparation } from '../types.js';
import { describeWhatsappTemplate } from './templates.js';

const PLACEHOLDER = /\{\{\s*([a-z0-9_]+)\s*\}\}/gi;
const PARTS = ['header', 'body', 'buttons'];
const BUTTON_TYPES: Record<string, 'quick_reply' | 'url' | 'copy_code'> = { payload: 'quick_reply', url_suffix: 'url', coupon_code: 'copy_code' };
// Meta refuses text parameters with line breaks, tabs or more than four spaces in a row.
const UNSENDABLE_TEXT = /[\n\t]| {5,}/;

type Values = string[] | Record<string, string>;

const isPositional = (names: string[]) => names.every((name) => /^\d+$/.test(name));
const label = (part: string, name: string) => `{{${name}}} in the ${part}`;

function textProblem(value: unknown, where: string): string | null {
  if (typeof value !== 'string' || !value.trim()) return `${where} needs a text value.`;
  if (UNSENDABLE_TEXT.test(value)) return `${where} cannot contain line breaks, tabs or more than four spaces in a row.`;
  return null;
}

/** Header or body text values: a list in placeholder order, or an object by placeholder name. */
function checkTexts(part: 'header' | 'body', expected: TemplateParameter[], given: unknown, problems: string[]): Values | undefined {
  const names = expected.map((p) => p.name);
  if (names.length === 0) {
    if (given !== undefined && Object.keys(given ?? {}).length > 0) problems.push(`The ${part} of this template takes no values.`);
    return undefined;
  }
  const positional = isPositional(names);
  // Positional values fill {{1}}, {{2}}… by number, whatever order the text uses them in.
  const ordered = positional ? [...names].sort((a, b) => Number(a) - Number(b)) : names;
  let byName: Record<string, unknown>;
  if (Array.isArray(given)) {
    if (given.length !== ordered.length) {
      problems.push(`The ${part} takes ${ordered.length} value${ordered.length === 1 ? '' : 's'} (${ordered.map((n) => `{{${n}}}`).join(', ')}); ${given.length} ${given.length === 1 ? 'was' : 'were'} given.`);
      return undefined;
    }
    byName = Object.fromEntries(ordered.map((name, i) => [name, given[i]]));
  } else if (given && typeof given === 'object') {
    byName = given as Record<string, unknown>;
    const unknown = Object.keys(byName).filter((name) => !ordered.includes(name));
    if (unknown.length) problems.push(`The ${part} has no ${unknown.map((n) => `{{${n}}}`).join(', ')}; it takes ${ordered.map((n) => `{{${n}}}`).join(', ')}.`);
  } else {
    problems.push(`The ${part} takes ${ordered.map((n) => `{{${n}}}`).join(', ')}; give them as a list in that order${positional ? '' : ' or an object by name'}.`);
    return undefined;
  }
  const before = problems.length;
  for (const name of ordered) {
    const problem = textProblem(byName[name], label(part, name));
    if (problem) problems.push(problem);
  }
  if (problems.length > before) return undefined;
  return positional ? ordered.map((name) => byName[name] as string) : Object.fromEntries(ordered.map((name) => [name, byName[name] as string]));
}

/** A media header: one `{ type, link }` (public HTTPS) or `{ type, id }` (uploaded media). */
function checkMediaHeader(media: string, given: unknown, problems: string[]): unknown[] | undefined {
  const value = Array.isArray(given) && given.length === 1 ? (given[0] as Record<string, unknown>) : null;
  const ref = value && typeof value === 'object' ? value : null;
  const link = typeof ref?.link === 'string' && /^https:\/\/\S+$/.test(ref.link) ? ref.link : null;
  const id = typeof ref?.id === 'string' && ref.id.trim() ? ref.id : null;
  if (!ref || (ref.type !== undefined && ref.type !== media) || (link === null) === (id === null)) {
    problems.push(`The header of this template is ${media === 'image' ? 'an' : 'a'} ${media}: give [{ "type": "${media}", "link": "https://…" }] or an uploaded media id.`);
    return undefined;
  }
  return [link ? { type: media, link } : { type: media, id }];
}

function checkButtons(expected: TemplateParameter[], given: unknown, problems: string[]) {
  const list = given === undefined ? [] : given;
  if (!Array.isArray(list)) {
    problems.push('Buttons take a list of { "index", "value" }.');
    return undefined;
  }
  const buttons: { index: number; type: string; value: string }[] = [];
  for (const entry of list as Record<string, unknown>[]) {
    const parameter = expected.find((p) => p.index === entry?.index);
    if (!parameter) {
      problems.push(`Button ${String(entry?.index)} of this template takes no value.`);
      continue;
    }
    const type = BUTTON_TYPES[parameter.name]!;
    if (entry.type !== undefined && entry.type !== type) problems.push(`Button ${parameter.index} is a ${type} button, not ${String(entry.type)}.`);
    const problem = textProblem(entry.value, `Button ${parameter.index}`);
    if (problem) problems.push(problem);
    else buttons.push({ index: parameter.index!, type, value: entry.value as string });
  }
  for (const parameter of expected) {
    if (!parameter.optional && !list.some((b: Record<string, unknown>) => b?.index === parameter.index)) {
      problems.push(`Button ${parameter.index} needs a value (${parameter.name === 'url_suffix' ? 'the end of its link' : 'its code'}).`);
    }
  }
  return buttons.sort((a, b) => a.index - b.index);
}

function fill(text: string | null, values: Values | undefined): string | null {
  if (!text) return null;
  return text.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = Array.isArray(values) ? values[Number(name) - 1] : values?.[name];
    return value ?? placeholder;
  });
}

/** Checks parameters against a template definition (its `components`) and renders its text. */
export function prepareWhatsappTemplate(components: unknown, parameters: Record<string, unknown>): TemplatePreparation {
  const shape = describeWhatsappTemplate(components);
  const problems: string[] = [];
  const unknownParts = Object.keys(parameters).filter((key) => !PARTS.includes(key));
  if (unknownParts.length) problems.push(`Only header, body and buttons take values; "${unknownParts.join('", "')}" is not one of them.`);
  const of = (component: TemplateParameter['component']) => shape.parameters.filter((p) => p.component === component);
  const header = shape.headerMedia ? checkMediaHeader(shape.headerMedia, parameters.header, problems) : checkTexts('header', of('header'), parameters.header, problems);
  const body = checkTexts('body', of('body'), parameters.body, problems);
  const buttons = checkButtons(of('button'), parameters.buttons, problems);
  if (problems.length) return { ok: false, problems };
  const checked: Record<string, unknown> = {};
  if (header) checked.header = header;
  if (body) checked.body = body;
  if (buttons?.length) checked.buttons = buttons;
  const text = [fill(shape.headerText, header as Values | undefined), fill(shape.bodyText, body), shape.footerText].filter((part): part is string => Boolean(part)).join('\n\n');
  return { ok: true, parameters: checked, text };
}
