import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from './display-html.js';

// Known vectors (OWASP XSS filter evasion cheat sheet and mail-specific ones); none may survive.
const VECTORS: [string, string][] = [
  ['a script element', '<script>alert(1)</script><p>hi</p>'],
  ['an event handler', '<p onclick="alert(1)">hi</p>'],
  ['an image error handler', '<img src="x" onerror="alert(1)">'],
  ['a javascript: link', '<a href="javascript:alert(1)">hi</a>'],
  ['an entity-encoded javascript: link', '<a href="&#106;avascript:alert(1)">hi</a>'],
  ['a tab-split javascript: link', '<a href="jav\tascript:alert(1)">hi</a>'],
  ['a vbscript: link', '<a href="vbscript:msgbox(1)">hi</a>'],
  ['a data: HTML link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">hi</a>'],
  ['an SVG image with script', '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ['an inline svg', '<svg onload="alert(1)"><script>alert(1)</script></svg>'],
  ['an iframe', '<iframe src="https://evil.example"></iframe>'],
  ['an object', '<object data="https://evil.example/x.swf"></object>'],
  ['an embed', '<embed src="https://evil.example/x.swf">'],
  ['a form', '<form action="https://evil.example"><input name="password"><button>Log in</button></form>'],
  ['a meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">'],
  ['a base element', '<base href="https://evil.example/">'],
  ['a stylesheet link', '<link rel="stylesheet" href="https://evil.example/x.css">'],
  ['a style element', '<style>body{background:url(https://evil.example/track)}</style>'],
  ['a CSS expression', '<div style="width: expression(alert(1))">hi</div>'],
  ['a CSS url()', '<div style="background-image: url(https://evil.example/track.gif)">hi</div>'],
  ['a CSS import', '<div style="@import \'https://evil.example/x.css\'">hi</div>'],
  ['a mathml link', '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>'],
  ['an unclosed attribute trick', '<img """><script>alert(1)</script>">'],
  ['a noscript breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
];

describe('sanitizing HTML email for display', () => {
  it.each(VECTORS)('removes %s', (_name, html) => {
    const clean = sanitizeEmailHtml(html);
    expect(clean).not.toMatch(/<script|<iframe|<object|<embed|<form|<input|<meta|<base|<link|<style|<svg|<math/i);
    expect(clean).not.toMatch(/\son[a-z]+\s*=/i);
    expect(clean).not.toMatch(/javascript:|vbscript:|data:text|data:image\/svg|expression\(|url\(|@import/i);
    expect(clean).not.toContain('evil.example');
  });

  it('keeps ordinary formatting, tables and links, and opens links outside the app', () => {
    const clean = sanitizeEmailHtml('<table><tr><td style="color: #333; font-weight: bold">Total</td></tr></table><a href="https://shop.example/order">Order</a>');
    expect(clean).toContain('<td style="color:#333;font-weight:bold">Total</td>');
    expect(clean).toContain('<a href="https://shop.example/order" target="_blank" rel="noopener noreferrer nofollow">Order</a>');
  });

  it('does not load remote images until asked: their address moves to data-remote-src', () => {
    expect(sanitizeEmailHtml('<img src="https://tracker.example/open.gif?u=1" width="1">')).toBe('<img width="1" data-remote-src="https://tracker.example/open.gif?u=1" />');
    expect(sanitizeEmailHtml('<img data-remote-src="javascript:alert(1)">')).toBe('');
  });

  it('keeps inline raster images given as data: URIs', () => {
    const img = '<img src="data:image/png;base64,iVBORw0KGgo=" />';
    expect(sanitizeEmailHtml(img)).toBe(img);
  });

  it('drops positioning that could lay the mail over the app', () => {
    expect(sanitizeEmailHtml('<div style="position: fixed; top: 0; color: red">x</div>')).toBe('<div style="color:red">x</div>');
  });
});
