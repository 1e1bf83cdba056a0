// Reading the Authentication-Results header (RFC 8601) a receiving server stamps on mail it checked, for
// mail we fetch over IMAP and so cannot check ourselves. mailauth writes this header but exports no parser
// for it (its internal one is not part of its API and drops repeated methods), hence this small one.

/** One message header as mailparser's `headerLines` gives it: lower-case name and the raw, possibly folded line. */
export interface RawHeaderLine {
  key: string;
  line: string;
}

/** One `method=result` clause of the header, with its reason, properties and comments. */
export interface MethodResult {
  /** Lower case, without a method version (`dkim/1` → `dkim`). */
  method: string;
  /** Lower case, as written. */
  result: string;
  reason: string | null;
  /** `ptype.property` (lower case) → value as written, e.g. `header.from` → `example.com`. */
  properties: Record<string, string>;
  /** Comment texts inside the clause, e.g. `p=REJECT sp=REJECT dis=NONE` after a DMARC result. */
  comments: string[];
}

export interface AuthenticationResults {
  /** The server that wrote the header; null for writers that omit it (Microsoft 365 does). */
  authservId: string | null;
  results: MethodResult[];
}

/** Values of every Authentication-Results header, top-most (the last server's) first, unfolded. */
export function authenticationResultsValues(headers: Buffer | readonly RawHeaderLine[]): string[] {
  const lines = Buffer.isBuffer(headers) ? readHeaderLines(headers) : headers;
  return lines.filter((h) => h.key.toLowerCase() === 'authentication-results').map((h) => unfold(h.line.slice(h.line.indexOf(':') + 1)));
}

/** The header block of a raw message as lines, in order. */
export function readHeaderLines(raw: Buffer): RawHeaderLine[] {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const lines: RawHeaderLine[] = [];
  for (const physical of block.split(/\r?\n/)) {
    const last = lines.at(-1);
    if (/^[ \t]/.test(physical) && last) {
      last.line += `\r\n${physical}`;
      continue;
    }
    const colon = physical.indexOf(':');
    if (colon <= 0) continue;
    lines.push({ key: physical.slice(0, colon).trim().toLowerCase(), line: physical });
  }
  return lines;
}

/**
 * The authserv-id a header value starts with, read without parsing the rest, so a server's own header can be
 * recognised even when what follows is broken. Null when the value starts with a result instead.
 */
export function leadingAuthservId(value: string): string | null {
  const scanner = new Scanner(value);
  try {
    return scanner.authservId();
  } catch {
    return null;
  }
}

/** Parses one header value; null when it does not follow RFC 8601 closely enough to be trusted. */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  try {
    return new Scanner(value).header();
  } catch (error) {
    if (error instanceof MalformedHeader) return null;
    throw error;
  }
}

class MalformedHeader extends Error {}

// Characters that end an unquoted token. A property value may contain `=` (base64 in header.b), so values use
// a narrower set than keys.
const KEY_END = /[\s;=()"]/;
const VALUE_END = /[\s;()"]/;

class Scanner {
  #text: string;
  #at = 0;
  #comments: string[] = [];

  constructor(text: string) {
    this.#text = unfold(text);
  }

  header(): AuthenticationResults {
    const authservId = this.authservId();
    if (authservId !== null) this.#skipVersion();
    const results: MethodResult[] = [];
    // A writer without an authserv-id (Microsoft 365) starts with the first clause itself.
    if (authservId === null) {
      this.#comments = [];
      this.#skipCfws();
      results.push(...this.#clause(results));
    }
    while (true) {
      this.#skipCfws();
      if (this.#atEnd()) break;
      this.#expect(';');
      // Comments from here on belong to the clause that follows.
      this.#comments = [];
      this.#skipCfws();
      // A trailing or doubled semicolon carries nothing; writers leave them.
      if (this.#atEnd() || this.#peek() === ';') continue;
      results.push(...this.#clause(results));
    }
    return { authservId, results };
  }

  authservId(): string | null {
    this.#skipCfws();
    const start = this.#at;
    const id = this.#peek() === '"' ? this.#quoted() : this.#token(VALUE_END);
    if (!id) throw new MalformedHeader('no authserv-id');
    if (id.includes('=')) {
      this.#at = start;
      return null;
    }
    return id.toLowerCase();
  }

  #skipVersion(): void {
    this.#skipCfws();
    const match = /^\d+(?=[\s;(]|$)/.exec(this.#text.slice(this.#at));
    if (match) this.#at += match[0].length;
  }

  /** One `method=result [reason=…] [ptype.property=value …]` clause; returns nothing when it only adds to the previous one. */
  #clause(previous: MethodResult[]): MethodResult[] {
    const methodSpec = this.#token(KEY_END);
    if (!methodSpec) throw new MalformedHeader('missing method');
    this.#skipCfws();
    if (methodSpec.toLowerCase() === 'none' && (this.#atEnd() || this.#peek() === ';')) return [];
    this.#expect('=');
    this.#skipCfws();
    const result = this.#peek() === '"' ? this.#quoted() : this.#token(VALUE_END);
    if (!result) throw new MalformedHeader(`missing result for ${methodSpec}`);
    const properties = this.#properties();
    const comments = this.#comments;
    const method = methodSpec.split('/')[0]!.toLowerCase();
    // Microsoft 365 writes each property as a clause of its own (`spf=pass; smtp.mailfrom=example.com`):
    // a "method" that is a ptype.property belongs to the clause before it.
    const owner = previous.at(-1);
    if (method.includes('.') && owner) {
      owner.properties[method] = result;
      Object.assign(owner.properties, properties.properties);
      owner.comments.push(...comments);
      return [];
    }
    return [{ method, result: result.toLowerCase(), reason: properties.reason, properties: properties.properties, comments }];
  }

  #properties(): { reason: string | null; properties: Record<string, string> } {
    let reason: string | null = null;
    const properties: Record<string, string> = {};
    while (true) {
      this.#skipCfws();
      if (this.#atEnd() || this.#peek() === ';') break;
      const key = this.#token(KEY_END).toLowerCase();
      if (!key) throw new MalformedHeader('missing property name');
      this.#skipCfws();
      this.#expect('=');
      this.#skipCfws();
      const value = this.#peek() === '"' ? this.#quotedValue() : this.#token(VALUE_END);
      if (key === 'reason') reason = value;
      else if (key !== '__proto__') properties[key] = value;
    }
    return { reason, properties };
  }

  #skipCfws(): void {
    while (!this.#atEnd()) {
      const c = this.#peek();
      if (/\s/.test(c)) this.#at += 1;
      else if (c === '(') this.#comments.push(this.#comment());
      else break;
    }
  }

  /** A comment, which may nest and hold quoted pairs. */
  #comment(): string {
    let depth = 0;
    let text = '';
    do {
      if (this.#atEnd()) throw new MalformedHeader('unterminated comment');
      const c = this.#text[this.#at++]!;
      if (c === '\\') {
        if (this.#atEnd()) throw new MalformedHeader('unterminated comment');
        text += this.#text[this.#at++];
        continue;
      }
      if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
      if (depth > 1 || (depth === 1 && c !== '(')) text += c;
    } while (depth > 0);
    return text.replace(/\s+/g, ' ').trim();
  }

  /** A quoted string, or a quoted local part with its domain (`"j doe"@example.com`). */
  #quotedValue(): string {
    const quoted = this.#quoted();
    return this.#peek() === '@' ? quoted + this.#token(VALUE_END) : quoted;
  }

  #quoted(): string {
    this.#at += 1;
    let text = '';
    while (true) {
      if (this.#atEnd()) throw new MalformedHeader('unterminated quoted string');
      const c = this.#text[this.#at++]!;
      if (c === '"') return text;
      if (c === '\\') {
        if (this.#atEnd()) throw new MalformedHeader('unterminated quoted string');
        text += this.#text[this.#at++];
      } else {
        text += c;
      }
    }
  }

  #token(end: RegExp): string {
    const start = this.#at;
    while (!this.#atEnd() && !end.test(this.#peek())) this.#at += 1;
    return this.#text.slice(start, this.#at);
  }

  #expect(c: string): void {
    if (this.#peek() !== c) throw new MalformedHeader(`expected "${c}" at ${this.#at}`);
    this.#at += 1;
  }

  #peek(): string {
    return this.#text[this.#at] ?? '';
  }

  #atEnd(): boolean {
    return this.#at >= this.#text.length;
  }
}

function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '').trim();
}
