// Inbound HTML is written by whoever sent the mail: before it is stored for agents to read, everything that
// could run, phone home or escape its box is removed (channels.md §C.4.1). The UI still renders it in a
// sandboxed iframe; this is the layer that holds when that one is forgotten.
import sanitizeHtml from 'sanitize-html';

// Inline images come out of mailparser as data: URIs; only raster formats, which cannot carry script.
const SAFE_DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]*$/i;

// CSS values that can load something or lay the mail over the page are not allowed anywhere.
const SAFE_CSS_VALUE = /^(?!.*(?:url\s*\(|expression\s*\(|@import|javascript:|\\)).*$/i;
const STYLE_PROPERTIES = [
  'color', 'background-color', 'font-family', 'font-size', 'font-style', 'font-weight', 'text-align', 'text-decoration',
  'line-height', 'letter-spacing', 'margin', 'margin-top', 'margin-right', 'margin-bottom', 'margin-left', 'padding',
  'padding-top', 'padding-right', 'padding-bottom', 'padding-left', 'border', 'border-top', 'border-right', 'border-bottom',
  'border-left', 'border-color', 'border-style', 'border-width', 'border-collapse', 'border-radius', 'width', 'max-width',
  'height', 'vertical-align', 'white-space', 'direction', 'list-style-type', 'display',
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt',
    'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'ol', 'p', 'pre', 'q', 's', 'small',
    'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
  ],
  // Everything else, with its content where the content is text (script and style bodies are dropped).
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'iframe', 'object', 'svg', 'math', 'template'],
  allowedAttributes: {
    '*': ['style', 'dir', 'align', 'title', 'lang', 'class'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'data-remote-src'],
    font: ['color', 'face', 'size'],
    table: ['border', 'cellpadding', 'cellspacing', 'width', 'bgcolor'],
    td: ['colspan', 'rowspan', 'width', 'valign', 'bgcolor'],
    th: ['colspan', 'rowspan', 'width', 'valign', 'bgcolor'],
    blockquote: ['type'],
    ol: ['start', 'type'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_CSS_VALUE]])) },
  transformTags: {
    // Links open outside the app and tell the target nothing about where they came from.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
    // Remote images (tracking pixels among them) are not loaded until an agent asks: the address moves to
    // data-remote-src, which a browser never fetches.
    img: (tagName, attribs) => {
      // A sender's own data-remote-src is dropped: only addresses moved here by this filter are offered.
      const { src, 'data-remote-src': _theirs, ...rest } = attribs;
      if (src && SAFE_DATA_IMAGE.test(src)) return { tagName, attribs: { ...rest, src } };
      if (src && /^https?:\/\//i.test(src)) return { tagName, attribs: { ...rest, 'data-remote-src': src } };
      return { tagName, attribs: rest };
    },
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src && !frame.attribs['data-remote-src'],
};

/** The mail's HTML with only what is safe to show an agent: no scripts, handlers, forms, remote loads or overlays. */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}
