import { describe, expect, it } from 'vitest';
import { describeWhatsappTemplate } from './templates.js';

describe('reading a WhatsApp template definition', () => {
  it('a media header takes one media parameter and no text', () => {
    const shape = describeWhatsappTemplate([{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Your receipt, {{1}}.' }]);
    expect(shape.headerMedia).toBe('image');
    expect(shape.parameters).toEqual([
      { component: 'header', name: 'image', type: 'image', example: null },
      { component: 'body', name: '1', type: 'text', example: null },
    ]);
  });

  it('named placeholders keep their names and examples, each once', () => {
    const shape = describeWhatsappTemplate([
      { type: 'BODY', text: 'Hi {{first_name}}, order {{order}} is late. Sorry {{ first_name }}!', example: { body_text_named_params: [{ param_name: 'order', example: 'A-1' }, { param_name: 'first_name', example: 'Jane' }] } },
    ]);
    expect(shape.parameters).toEqual([
      { component: 'body', name: 'first_name', type: 'text', example: 'Jane' },
      { component: 'body', name: 'order', type: 'text', example: 'A-1' },
    ]);
  });

  it('a template without variables takes no parameters, and junk reads as an empty template', () => {
    expect(describeWhatsappTemplate([{ type: 'BODY', text: 'Thanks for writing!' }, { type: 'FOOTER', text: 'Brand' }]).parameters).toEqual([]);
    expect(describeWhatsappTemplate('not a list')).toMatchObject({ bodyText: '', parameters: [] });
  });
});
