// Which files may be attached, whether a file's bytes agree with the type it was sent as, whether a browser
// shows it in place, and the name it is shown under.
import { DomainError } from './errors.js';

/** What a client sends when it does not know a file's type; the bytes decide then. */
export const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

const ZIP = 'application/zip';
const CFB = 'application/x-cfb';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
// MP4, M4A and 3GP are one container (ISO base media) told apart by a brand, which tools label loosely.
const ISO_MEDIA = ['video/mp4', 'video/x-m4v', 'audio/mp4', 'audio/x-m4a', 'video/3gpp', 'video/3gpp2'];

interface Rule {
  /** Types the sniffer may report for bytes of this type. */
  agrees: readonly string[];
  /** Every file of this type starts with a signature, so bytes without one contradict it. */
  signatureRequired: boolean;
}

const text: Rule = { agrees: ['text/*', 'application/xml'], signatureRequired: false };
const ooxml = (type: string): Rule => ({ agrees: [type, ZIP], signatureRequired: true });
const legacyOffice: Rule = { agrees: [CFB], signatureRequired: true };

/** The types an attachment may have: what WhatsApp, Instagram and email can all carry or show. */
const RULES: Record<string, Rule> = {
  'image/jpeg': { agrees: ['image/jpeg'], signatureRequired: true },
  'image/png': { agrees: ['image/png', 'image/apng'], signatureRequired: true },
  'image/webp': { agrees: ['image/webp'], signatureRequired: true },
  'image/gif': { agrees: ['image/gif'], signatureRequired: true },
  'video/mp4': { agrees: ISO_MEDIA, signatureRequired: true },
  'video/3gpp': { agrees: ISO_MEDIA, signatureRequired: false },
  'audio/aac': { agrees: ['audio/aac'], signatureRequired: false },
  'audio/mp4': { agrees: ISO_MEDIA, signatureRequired: false },
  'audio/mpeg': { agrees: ['audio/mpeg'], signatureRequired: false },
  'audio/amr': { agrees: ['audio/amr'], signatureRequired: false },
  'audio/ogg': { agrees: ['audio/ogg', 'application/ogg'], signatureRequired: false },
  'application/pdf': { agrees: ['application/pdf'], signatureRequired: true },
  'text/plain': text,
  'text/csv': text,
  'application/msword': legacyOffice,
  'application/vnd.ms-excel': legacyOffice,
  'application/vnd.ms-powerpoint': legacyOffice,
  [DOCX]: ooxml(DOCX),
  [XLSX]: ooxml(XLSX),
  [PPTX]: ooxml(PPTX),
  [ZIP]: { agrees: [ZIP, DOCX, XLSX, PPTX], signatureRequired: true },
};

export const ALLOWED_CONTENT_TYPES: readonly string[] = Object.keys(RULES);

// Other names browsers and tools give the same types (Windows sends ZIP files as x-zip-compressed).
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/apng': 'image/png',
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'application/x-zip-compressed': ZIP,
  'application/x-zip': ZIP,
};

/** A content type's essence, lower-cased, without parameters, under its usual name. */
export function normalizeContentType(raw: string | null | undefined): string {
  const essence = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (!essence) return UNKNOWN_CONTENT_TYPE;
  return ALIASES[essence] ?? essence;
}

/**
 * The type a file was sent as. Browsers on Windows with Excel installed send CSV files as Excel
 * spreadsheets, which their bytes would then contradict; the name tells them apart.
 */
export function declaredTypeOf(sentType: string | null | undefined, fileName: string | null | undefined): string {
  const type = normalizeContentType(sentType);
  if (type === 'application/vnd.ms-excel' && /\.csv$/i.test(fileName ?? '')) return 'text/csv';
  return type;
}

function notAllowed(contentType: string): DomainError {
  return new DomainError({
    code: 'ATTACHMENT_TYPE_NOT_ALLOWED',
    message: `Files of type ${contentType} can't be attached. Attach an image (JPEG, PNG, WebP, GIF), a video (MP4, 3GP), audio (AAC, M4A, MP3, AMR, OGG), a PDF, a text or CSV file, an Office document or a ZIP archive.`,
    details: { contentType, allowed: ALLOWED_CONTENT_TYPES },
  });
}

/**
 * Refuses, before any byte is read, a declared type that can never be attached. An unknown type passes:
 * the bytes decide it.
 */
export function checkDeclaredType(declared: string): void {
  if (declared !== UNKNOWN_CONTENT_TYPE && !RULES[declared]) throw notAllowed(declared);
}

function agrees(rule: Rule, sniffed: string): boolean {
  return rule.agrees.some((type) => type === sniffed || (type.endsWith('/*') && sniffed.startsWith(type.slice(0, -1))));
}

/**
 * The type to store a file under, given the type it was sent as and the type its first bytes show
 * (undefined when they show none the sniffer knows). Refuses bytes that contradict the declared type.
 */
export function contentTypeOf(declared: string, sniffedRaw: string | undefined): string {
  const sniffed = sniffedRaw === undefined ? undefined : sniffedRaw.split(';')[0]!.trim().toLowerCase();
  if (declared === UNKNOWN_CONTENT_TYPE) {
    const recognised = sniffed === undefined ? undefined : normalizeContentType(sniffed);
    if (recognised === undefined || !RULES[recognised]) throw notAllowed(declared);
    return recognised;
  }
  const rule = RULES[declared];
  if (!rule) throw notAllowed(declared);
  if (sniffed === undefined ? !rule.signatureRequired : agrees(rule, sniffed)) return declared;
  const content = sniffed ? `its content is ${sniffed}` : `its content is not ${declared}`;
  throw new DomainError({
    code: 'ATTACHMENT_TYPE_MISMATCH',
    message: `The file was sent as ${declared}, but ${content}. Check that the file is not damaged or misnamed, then attach it again.`,
    details: { declared, detected: sniffed ?? null },
  });
}

export function fileTooLarge(maxBytes: number): DomainError {
  return new DomainError({
    code: 'ATTACHMENT_TOO_LARGE',
    message: `The file is larger than ${formatBytes(maxBytes)}, the largest attachment this inbox accepts; attach a smaller file or share a link to it.`,
    details: { maxBytes },
  });
}

export function fileEmpty(): DomainError {
  return new DomainError({ code: 'ATTACHMENT_EMPTY', message: 'The file is empty; attach a file with content.' });
}

/** Images, video and audio open in the browser; everything else is downloaded. */
export function isShownInline(contentType: string): boolean {
  return /^(image|video|audio)\//.test(contentType);
}

const MAX_NAME_LENGTH = 200;

/**
 * The name a file is shown and offered under: the last part of the name it was sent with, without control or
 * direction-changing characters (a right-to-left override makes a name ending "gpj.exe" read as one ending "exe.jpg"), at most 200 characters.
 * Never used as a path.
 */
export function displayNameOf(sent: string | null | undefined): string {
  const base = (sent ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = [...base].filter((ch) => !isHiddenCharacter(ch.codePointAt(0)!)).join('').trim();
  if (clean === '' || clean === '.' || clean === '..') return 'attachment';
  const chars = [...clean];
  if (chars.length <= MAX_NAME_LENGTH) return clean;
  const dot = clean.lastIndexOf('.');
  const extension = dot > 0 && clean.length - dot <= 16 ? [...clean.slice(dot)] : [];
  return chars.slice(0, MAX_NAME_LENGTH - extension.length).join('') + extension.join('');
}

function isHiddenCharacter(code: number): boolean {
  return code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff) || (code >= 0x80 && code < 0xa0) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) || code === 0x200e || code === 0x200f;
}

/** "25 MiB", "512 KiB", "300 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
