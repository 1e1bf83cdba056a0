import { describe, expect, it } from 'vitest';
import { checkDeclaredType, contentTypeOf, declaredTypeOf, displayNameOf, formatBytes, isShownInline, normalizeContentType } from './attachment-types.js';
import { DomainError, type ErrorCode } from './errors.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function codeOf(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

describe('attachment types', () => {
  it('reads a declared type without parameters or case, under its usual name', () => {
    expect(normalizeContentType('Image/JPG')).toBe('image/jpeg');
    expect(normalizeContentType('text/plain; charset=utf-8')).toBe('text/plain');
    expect(normalizeContentType('application/x-zip-compressed')).toBe('application/zip');
    expect(normalizeContentType('audio/x-m4a')).toBe('audio/mp4');
    expect(normalizeContentType('')).toBe('application/octet-stream');
    expect(normalizeContentType(undefined)).toBe('application/octet-stream');
  });

  it('takes a CSV file that Windows sent as an Excel spreadsheet for the CSV it is', () => {
    expect(declaredTypeOf('application/vnd.ms-excel', 'orders.CSV')).toBe('text/csv');
    expect(declaredTypeOf('application/vnd.ms-excel', 'orders.xls')).toBe('application/vnd.ms-excel');
  });

  it('refuses types that can never be attached before reading the bytes, and lets an unknown type through to them', () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/javascript', 'application/x-msdownload', 'video/quicktime']) {
      expect(codeOf(() => checkDeclaredType(type))).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    }
    expect(() => checkDeclaredType('application/octet-stream')).not.toThrow();
    expect(() => checkDeclaredType('application/pdf')).not.toThrow();
  });

  it('keeps the declared type when the bytes agree with it', () => {
    expect(contentTypeOf('image/png', 'image/png')).toBe('image/png');
    expect(contentTypeOf('image/png', 'image/apng')).toBe('image/png');
    expect(contentTypeOf('audio/mp4', 'audio/x-m4a')).toBe('audio/mp4');
    expect(contentTypeOf('audio/ogg', 'audio/ogg; codecs=opus')).toBe('audio/ogg');
    expect(contentTypeOf(DOCX, DOCX)).toBe(DOCX);
    // A Word file whose first bytes show only the ZIP container it is.
    expect(contentTypeOf(DOCX, 'application/zip')).toBe(DOCX);
    expect(contentTypeOf('application/msword', 'application/x-cfb')).toBe('application/msword');
    expect(contentTypeOf('text/csv', 'text/vcard')).toBe('text/csv');
  });

  it('keeps the declared type of formats without a reliable signature when the bytes show none', () => {
    expect(contentTypeOf('text/plain', undefined)).toBe('text/plain');
    expect(contentTypeOf('audio/mpeg', undefined)).toBe('audio/mpeg');
  });

  it('refuses bytes that contradict the declared type, or lack the signature every file of it starts with', () => {
    expect(codeOf(() => contentTypeOf('image/png', 'application/pdf'))).toBe('ATTACHMENT_TYPE_MISMATCH');
    expect(codeOf(() => contentTypeOf('text/plain', 'application/x-msdownload'))).toBe('ATTACHMENT_TYPE_MISMATCH');
    expect(codeOf(() => contentTypeOf(DOCX, 'application/vnd.ms-word.document.macroenabled.12'))).toBe('ATTACHMENT_TYPE_MISMATCH');
    expect(codeOf(() => contentTypeOf('video/mp4', 'video/quicktime'))).toBe('ATTACHMENT_TYPE_MISMATCH');
    for (const type of ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf', 'video/mp4', 'application/zip', DOCX]) {
      expect(codeOf(() => contentTypeOf(type, undefined))).toBe('ATTACHMENT_TYPE_MISMATCH');
    }
  });

  it('gives a file sent without a known type the allowed type its bytes show, and refuses it when they show none', () => {
    expect(contentTypeOf('application/octet-stream', 'image/apng')).toBe('image/png');
    expect(contentTypeOf('application/octet-stream', 'application/pdf')).toBe('application/pdf');
    expect(codeOf(() => contentTypeOf('application/octet-stream', undefined))).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    expect(codeOf(() => contentTypeOf('application/octet-stream', 'application/x-msdownload'))).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
  });

  it('shows images, video and audio in place and downloads the rest', () => {
    expect(['image/png', 'video/mp4', 'audio/ogg'].map(isShownInline)).toEqual([true, true, true]);
    expect(['application/pdf', 'text/plain', DOCX].map(isShownInline)).toEqual([false, false, false]);
  });
});

describe('the name an attachment is shown under', () => {
  it('is the last part of the name it was sent with', () => {
    expect(displayNameOf('../../etc/passwd')).toBe('passwd');
    expect(displayNameOf('C:\\Users\\ana\\Report "Q3".pdf')).toBe('Report "Q3".pdf');
  });

  it('drops control and direction-changing characters, which could disguise the real extension', () => {
    expect(displayNameOf('photo\u202egpj.exe')).toBe('photogpj.exe');
    expect(displayNameOf('line\r\nbreak\u0000.txt')).toBe('linebreak.txt');
  });

  it('is "attachment" when nothing usable is left', () => {
    for (const sent of [undefined, '', '   ', '..', 'dir/', '\u202e']) expect(displayNameOf(sent)).toBe('attachment');
  });

  it('keeps accents and is cut to 200 characters, keeping the extension', () => {
    expect(displayNameOf('Résumé.pdf')).toBe('Résumé.pdf');
    const long = displayNameOf(`${'é'.repeat(300)}.pdf`);
    expect([...long]).toHaveLength(200);
    expect(long.endsWith('é.pdf')).toBe(true);
  });
});

describe('byte sizes in messages', () => {
  it('reads as people count them', () => {
    expect([25 * 1024 * 1024, 1536 * 1024, 64 * 1024, 300].map(formatBytes)).toEqual(['25 MiB', '1.5 MiB', '64 KiB', '300 bytes']);
  });
});
