import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutboundSend } from '../types.js';
import { GraphError } from '../meta/graph-client.js';
import { buildMessageRequest, classifyGraphFailure, mediaTypeOf } from './outbound.js';

const fixture = (name: string) => JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../test/fixtures/channels', name), 'utf8'));

function send(overrides: Partial<OutboundSend> = {}): OutboundSend {
  return {
    messageId: 'msg_1',
    channelId: 'ch_1',
    to: '15559990001',
    kind: 'text',
    body: 'Hi Jane, your parcel ships today.',
    subject: null,
    template: null,
    attachments: [],
    tag: null,
    replyToProviderMessageId: null,
    account: { channelId: 'ch_1', accountId: '106540352242922', settings: {}, secrets: { accessToken: 'token' }, sandbox: false },
    ...overrides,
  };
}

const graphError = (status: number, code: number | undefined, details = 'what Meta said') =>
  new GraphError(status, { code, message: `(#${code}) title`, error_data: { details } });

describe('building the WhatsApp send request', () => {
  it('a text goes to the E.164 number with our message id echoed back in statuses, and no preview without a link', () => {
    expect(buildMessageRequest(send())).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+15559990001',
      type: 'text',
      text: { preview_url: false, body: 'Hi Jane, your parcel ships today.' },
      biz_opaque_callback_data: 'msg_1',
    });
  });

  it('a text with a link asks for a preview, unless told not to', () => {
    const withLink = send({ body: 'Track it at https://track.example.org/A-1' });
    expect(buildMessageRequest(withLink).text).toEqual({ preview_url: true, body: 'Track it at https://track.example.org/A-1' });
    expect(buildMessageRequest(withLink, { previewUrl: false }).text).toMatchObject({ preview_url: false });
    expect(buildMessageRequest(send(), { previewUrl: true }).text).toMatchObject({ preview_url: true });
  });

  it('a reply quotes the customer message it answers', () => {
    expect(buildMessageRequest(send({ replyToProviderMessageId: 'wamid.FAKE_INBOUND_TEXT_0001' })).context).toEqual({ message_id: 'wamid.FAKE_INBOUND_TEXT_0001' });
  });

  it('a template with header, body and quick-reply parameters is exactly the documented request', () => {
    const expected = fixture('whatsapp-template-send-request.json');
    const request = buildMessageRequest(
      send({
        kind: 'template',
        body: 'Order A-1001',
        template: {
          name: 'ticket_followup_v1',
          language: 'en_US',
          parameters: { header: ['A-1001'], body: ['Test Customer', 'T-123'], buttons: [{ index: 0, type: 'quick_reply', value: 'REOPEN_T-123' }] },
        },
      }),
    );
    expect(request).toEqual({ ...expected, biz_opaque_callback_data: 'msg_1' });
  });

  it('a NAMED template sends each value with its parameter name; url and copy-code buttons take their own shapes', () => {
    const request = buildMessageRequest(
      send({
        kind: 'template',
        template: {
          name: 'named',
          language: 'en',
          parameters: { body: { first_name: 'Jane', order: 'A-1' }, buttons: [{ index: 2, type: 'copy_code', value: 'SAVE10' }, { index: 1, type: 'url', value: 'A-1' }] },
        },
      }),
    );
    expect(request.template).toEqual({
      name: 'named',
      language: { code: 'en' },
      components: [
        { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Jane' }, { type: 'text', parameter_name: 'order', text: 'A-1' }] },
        { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'A-1' }] },
        { type: 'button', sub_type: 'copy_code', index: '2', parameters: [{ type: 'coupon_code', coupon_code: 'SAVE10' }] },
      ],
    });
  });

  it('a template with a media header sends the media by link; one without variables sends no components', () => {
    const media = buildMessageRequest(send({ kind: 'template', template: { name: 'receipt', language: 'en', parameters: { header: [{ type: 'document', link: 'https://files.example.org/r.pdf' }] } } }));
    expect(media.template).toMatchObject({ components: [{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://files.example.org/r.pdf' } }] }] });
    expect(buildMessageRequest(send({ kind: 'template', template: { name: 'hello', language: 'en', parameters: {} } })).template).toEqual({ name: 'hello', language: { code: 'en' } });
  });

  it('media goes by uploaded id with its caption; documents keep their file name; audio has no caption', () => {
    const image = send({ kind: 'media', body: 'Your invoice', attachments: [{ fileName: 'photo.jpg', contentType: 'image/jpeg', size: 10, storageKey: 'k1' }] });
    expect(buildMessageRequest(image, { media: { id: '1479537139650973' } })).toMatchObject({ type: 'image', image: { id: '1479537139650973', caption: 'Your invoice' } });
    const pdf = send({ kind: 'media', body: null, attachments: [{ fileName: 'invoice.pdf', contentType: 'application/pdf', size: 10, caption: 'March' }] });
    expect(buildMessageRequest(pdf, { media: { link: 'https://files.example.org/invoice.pdf' } })).toMatchObject({
      type: 'document',
      document: { link: 'https://files.example.org/invoice.pdf', caption: 'March', filename: 'invoice.pdf' },
    });
    const voice = send({ kind: 'media', body: 'ignored', attachments: [{ fileName: 'note.ogg', contentType: 'audio/ogg', size: 10 }] });
    expect(buildMessageRequest(voice, { media: { id: '9' } })).toMatchObject({ type: 'audio', audio: { id: '9' } });
    expect(buildMessageRequest(voice, { media: { id: '9' } }).audio).not.toHaveProperty('caption');
    expect(() => buildMessageRequest(voice)).toThrow(/no uploaded file/);
  });

  it.each([
    ['image/jpeg', 'image'],
    ['image/png', 'image'],
    ['image/webp', 'sticker'],
    ['video/mp4', 'video'],
    ['audio/ogg; codecs=opus', 'audio'],
    ['application/pdf', 'document'],
    [null, 'document'],
  ])('a %s file is sent as %s', (contentType, type) => {
    expect(mediaTypeOf(contentType)).toBe(type);
  });
});

describe('what a WhatsApp refusal means for the message', () => {
  it('131047 fails the message at once with a reason that points the agent to templates', () => {
    const error = fixture('whatsapp-error-131047-response.json').error;
    const result = classifyGraphFailure(new GraphError(400, error));
    expect(result).toMatchObject({ ok: false, retryable: false, code: '131047' });
    expect(result.message).toMatch(/24-hour window/);
    expect(result.message).toMatch(/template/);
    expect(result.channelNeedsAttention).toBeUndefined();
  });

  it.each([
    [429, 130429],
    [429, 131056],
    [400, 131057],
    [500, 131000],
    [503, 131016],
    [400, 4],
    [400, 80007],
  ])('HTTP %i with code %i is retried', (status, code) => {
    expect(classifyGraphFailure(graphError(status, code))).toMatchObject({ ok: false, retryable: true, code: String(code) });
  });

  it('a 5xx or 429 without a Graph error, a timeout and a network failure are retried', () => {
    expect(classifyGraphFailure(new GraphError(502, undefined))).toMatchObject({ retryable: true, code: 'HTTP_502' });
    expect(classifyGraphFailure(new GraphError(429, undefined))).toMatchObject({ retryable: true, code: 'HTTP_429' });
    expect(classifyGraphFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toMatchObject({ retryable: true, code: 'TIMEOUT' });
    expect(classifyGraphFailure(new TypeError('fetch failed'))).toMatchObject({ retryable: true, code: 'NETWORK_ERROR' });
  });

  it('190 holds the message and flags the channel for an admin instead of failing it', () => {
    const result = classifyGraphFailure(graphError(401, 190, 'Error validating access token: Session has expired'));
    expect(result).toMatchObject({ ok: false, retryable: true, channelNeedsAttention: true, code: '190' });
    expect(result.message).toContain('Session has expired');
    expect(result.message).toMatch(/admin/);
  });

  it.each([
    [400, 131026, 'Message undeliverable'],
    [400, 100, 'Invalid parameter'],
    [400, 132001, 'Template name does not exist in the translation'],
    [403, 10, 'Permission denied'],
  ])('HTTP %i with code %i fails the message with the provider code and its explanation', (status, code, details) => {
    expect(classifyGraphFailure(graphError(status, code, details))).toEqual({ ok: false, retryable: false, code: String(code), message: details });
  });
});
