// The one rule for text that comes from outside (providers' payloads, mail, Graph answers): what makes it
// storable the same way on SQLite and PostgreSQL. PostgreSQL's text (UTF-8) cannot hold U+0000 at all, and
// both drivers encode a lone UTF-16 surrogate silently as U+FFFD; so, once, at the edge:
// - U+0000 is removed (it carries nothing a person wrote; removing it keeps the text readable),
// - a lone surrogate (half of a pair, e.g. a `\ud83d` without its `\udc4b`) becomes U+FFFD, the
//   replacement character, so the text says something was there.
// People's own input through the API is not cleaned: a NUL there is refused (src/http/input-text.ts).

const NUL = '\u0000';
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SURROGATE = /[\uD800-\uDFFF]/;

/** The text as it is stored: without U+0000, each lone surrogate replaced by U+FFFD. */
export function storableText(text: string): string {
  const hasNul = text.includes(NUL);
  if (!hasNul && !SURROGATE.test(text)) return text;
  return (hasNul ? text.replaceAll(NUL, '') : text).replace(LONE_SURROGATE, '\uFFFD');
}

/** Whether text is stored unchanged by `storableText`. */
export function isStorableText(text: string): boolean {
  return storableText(text) === text;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * `value` with every string in it (object keys included, through arrays and plain objects) made storable;
 * anything else (numbers, Buffers, dates, functions) is kept as it is.
 */
export function storableDeep<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((item) => storableDeep(item)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[storableText(key)] = storableDeep(item);
  return out as T;
}

// JSON can only carry U+0000 or a surrogate as a `\u` escape (or, for a surrogate, as raw text, which the
// UTF-8 decoding before JSON.parse already turned into U+FFFD): text without one parses as it is.
const ESCAPE_NEEDING_CLEANING = /\\u(?:0000|[dD][89a-fA-F])/;

/** JSON.parse for a provider's JSON text, every string in the result (keys included) made storable. */
export function parseStorableJson(text: string): unknown {
  if (!ESCAPE_NEEDING_CLEANING.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return storableText(value);
    if (isPlainObject(value) && Object.keys(value).some((k) => !isStorableText(k))) return storableDeep(value);
    return value;
  });
}
