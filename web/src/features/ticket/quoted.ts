// Folding the quoted part of an email: the earlier messages a reply repeats below its own text.

/** The new text of a plain-text email and the quoted rest ('' when nothing is quoted). */
export function splitQuoted(body: string): { fresh: string; quoted: string } {
  const lines = body.split('\n');
  const start = lines.findIndex((line, i) => /^On .+wrote:\s*$/.test(line.trim()) || (line.startsWith('>') && lines.slice(i).every((l) => l.startsWith('>') || !l.trim())) || /^-{2,}\s*Original Message\s*-{2,}/i.test(line.trim()));
  if (start <= 0) return { fresh: body, quoted: '' };
  return { fresh: lines.slice(0, start).join('\n').trimEnd(), quoted: lines.slice(start).join('\n') };
}

const HIDE_QUOTES = 'blockquote, .gmail_quote, .yahoo_quoted, div[type="cite"], #divRplyFwdMsg, #divRplyFwdMsg ~ * { display: none !important; }';

/**
 * The document of an email's sanitized HTML for a sandboxed frame: no scripts run there whatever the
 * mail holds, and the policy also keeps remote images (read receipts) from loading.
 */
export function emailDocument(html: string, showQuoted: boolean): string {
  const policy = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`;
  const style = `<style>body{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#1d2433;word-wrap:break-word}img{max-width:100%}${showQuoted ? '' : HIDE_QUOTES}</style>`;
  return `<!doctype html><html><head><meta charset="utf-8">${policy}${style}</head><body>${html}</body></html>`;
}
