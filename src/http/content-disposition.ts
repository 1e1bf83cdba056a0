// The Content-Disposition header of a download (RFC 6266): the file's name in UTF-8 (RFC 8187), with a plain
// ASCII name beside it for clients that read only that.

/** `attachment; filename="…"; filename*=UTF-8''…`, or `inline; …` when the browser may show the file in place. */
export function contentDisposition(fileName: string, inline: boolean): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

/** Percent-encodes everything but RFC 8187's attr-char, which encodeURIComponent leaves too loose. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}
