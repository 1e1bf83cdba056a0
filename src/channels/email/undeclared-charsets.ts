// Mail from older clients carries text in a legacy character set without saying which: raw GBK or Shift_JIS
// bytes in Subject and From, a text part with no charset, a file name in GBK. mailparser reads such bytes as
// Latin-1 and garbles them. Before it reads the mail, they are given their character set: header lines are
// rewritten as UTF-8, and undeclared text parts get a charset parameter. The set is the one the mail declares
// for its own text elsewhere (clients write raw headers in their body's set), or else the one chardet finds
// over all the undeclared bytes of the mail together (a name alone is too short to tell). Only the copy being
// read changes; the stored mail stays as received.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Joiner, Splitter, type MimeNode, type SplitterChunk } from '@zone-eu/mailsplit';
import chardet from 'chardet';
import iconv from 'iconv-lite';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Bytes that need a character set to be read: some above ASCII, and not UTF-8. */
const needsCharset = (bytes: Buffer) => bytes.some((byte) => byte >= 0x80) && !isUtf8(bytes);

// Sets that say nothing about legacy bytes: mail declaring them has no hint to give.
const NO_HINT = new Set(['us-ascii', 'ascii', 'utf-8', 'utf8']);
// Below this chardet confidence (0–100) a guess is no better than reading the bytes as Latin-1, as before.
const LEAST_CONFIDENCE = 20;

// A body in base64 or quoted-printable hides its bytes from a look at the raw mail.
const ENCODED_BODY = /^content-transfer-encoding:[ \t]*(?:base64|quoted-printable)/im;

/** The message with its undeclared legacy text labelled; unchanged when it has none or it cannot be read. */
export async function labelUndeclaredCharsets(message: Buffer): Promise<Buffer> {
  if (!needsCharset(message) && !ENCODED_BODY.test(message.toString('latin1'))) return message;
  let chunks: SplitterChunk[];
  try {
    chunks = await split(message);
  } catch {
    return message;
  }
  const nodes = chunks.filter((chunk): chunk is MimeNode => chunk.type === 'node');
  const undeclaredHeaders = nodes.flatMap((node) => (node.headers ? node.headers.getList().filter((line) => needsCharset(Buffer.from(line.line, 'binary'))).map((line) => ({ node, line })) : []));
  const undeclaredBodies = new Map<MimeNode, Buffer>();
  for (const node of nodes.filter(isUndeclaredText)) {
    const body = await decodedBody(node, chunks);
    const named = node.contentType === 'text/html' ? metaCharsetOf(body) : null;
    if (named) node.setCharset(named);
    else if (needsCharset(body)) undeclaredBodies.set(node, body);
  }
  if (undeclaredHeaders.length === 0 && undeclaredBodies.size === 0) return join(chunks);

  const sample = Buffer.concat([...undeclaredHeaders.map(({ line }) => Buffer.from(line.line, 'binary')), ...undeclaredBodies.values()]);
  const charset = declaredCharsetOf(nodes) ?? detectedCharsetOf(sample);
  if (!charset) return join(chunks);
  for (const { node, line } of undeclaredHeaders) {
    line.line = Buffer.from(iconv.decode(Buffer.from(line.line, 'binary'), charset), 'utf8').toString('binary');
    if (node.headers) node.headers.changed = true;
  }
  for (const node of undeclaredBodies.keys()) node.setCharset(charset);
  return join(chunks);
}

/** A text part the mail shows as its body that names no character set in its header. */
function isUndeclaredText(node: MimeNode): boolean {
  return (node.contentType === 'text/plain' || node.contentType === 'text/html') && !node.charset && node.disposition !== 'attachment';
}

/** The set an HTML body names in a meta tag (`<meta charset>` or http-equiv Content-Type), when iconv-lite knows it. */
function metaCharsetOf(html: Buffer): string | null {
  const named = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(html.subarray(0, 4096).toString('latin1'))?.[1]?.toLowerCase() ?? null;
  return named && iconv.encodingExists(named) ? named : null;
}

/** The first legacy set a text part of the mail declares. */
function declaredCharsetOf(nodes: MimeNode[]): string | null {
  for (const node of nodes) {
    const charset = typeof node.charset === 'string' ? node.charset.toLowerCase() : null;
    if (charset && !NO_HINT.has(charset) && iconv.encodingExists(charset)) return charset;
  }
  return null;
}

function detectedCharsetOf(sample: Buffer): string | null {
  const best = chardet.analyse(sample).find((match) => iconv.encodingExists(match.name));
  return best && best.confidence >= LEAST_CONFIDENCE ? best.name : null;
}

async function decodedBody(node: MimeNode, chunks: SplitterChunk[]): Promise<Buffer> {
  const raw = chunks.filter((chunk) => chunk.type === 'body' && chunk.node === node).map((chunk) => (chunk as { value: Buffer }).value);
  const decoded: Buffer[] = [];
  const decoder = node.getDecoder();
  decoder.on('data', (data: Buffer) => decoded.push(data));
  const done = new Promise((resolve, reject) => {
    decoder.on('end', resolve);
    decoder.on('error', reject);
  });
  decoder.end(Buffer.concat(raw));
  await done;
  return Buffer.concat(decoded);
}

async function split(message: Buffer): Promise<SplitterChunk[]> {
  const chunks: SplitterChunk[] = [];
  const splitter = new Splitter();
  splitter.on('data', (chunk: SplitterChunk) => chunks.push(chunk));
  await pipeline(Readable.from([message]), splitter);
  return chunks;
}

async function join(chunks: SplitterChunk[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const collect = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(chunks), new Joiner(), collect);
  return Buffer.concat(out);
}
