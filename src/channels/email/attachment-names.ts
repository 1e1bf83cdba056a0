// Parts that come without a file name still need one an agent can open: a forwarded mail is named after its
// subject (.eml), an unnamed inline image after its type (image-1.png, …).
import { simpleParser } from 'mailparser';

export interface NamedPart {
  filename?: string;
  contentType: string;
  content: Buffer;
}

const FORWARDED_FALLBACK = 'forwarded-message.eml';
const MAX_NAME_LENGTH = 100;

/** Each part's file name: its own, one derived from what it is, or null when neither says anything. */
export async function fileNamesOf(parts: readonly NamedPart[]): Promise<(string | null)[]> {
  let images = 0;
  const names: (string | null)[] = [];
  for (const part of parts) {
    if (part.filename?.trim()) names.push(part.filename);
    else if (part.contentType === 'message/rfc822') names.push(await forwardedMessageName(part.content));
    else if (part.contentType.startsWith('image/')) names.push(`image-${++images}.${imageExtension(part.contentType)}`);
    else names.push(null);
  }
  return names;
}

async function forwardedMessageName(content: Buffer): Promise<string> {
  const { subject } = await simpleParser(content, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const base = fileNameSafe(subject ?? '');
  return base ? `${base}.eml` : FORWARDED_FALLBACK;
}

/** Characters no file system or download dialog chokes on: no separators, reserved or control characters. */
function fileNameSafe(text: string): string {
  return text
    .replace(/[\\/:*?"<>|\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NAME_LENGTH)
    .replace(/^[\s.]+|[\s.]+$/g, '');
}

function imageExtension(contentType: string): string {
  const subtype = contentType.slice('image/'.length).replace(/\+xml$/, '').replace(/[^a-z0-9.-]/gi, '');
  return subtype || 'img';
}
