import { describe, expect, it } from 'vitest';
import { GraphError } from '../meta/graph-client.js';
import type { OutboundSend } from '../types.js';
import { buildInstagramRequest, classifyInstagramFailure } from './outbound.js';

const send = (overrides: Partial<OutboundSend> = {}): OutboundSend => ({
  messageId: 'msg-1', channelId: 'ch-1', to: '9001', kind: 'text', body: 'Hello', subject: null, template: null, attachments: [], tag: null, replyToProviderMessageId: null,
  account: { channelId: 'ch-1', accountId: '17841400000000001', settings: {}, secrets: {}, sandbox: false }, ...overrides,
});

describe('Instagram send requests', () => {
  it.each([
    ['a text', send(), { kind: 'send', body: { recipient: { id: '9001' }, message: { text: 'Hello' } } }],
    ['a tagged text', send({ tag: 'HUMAN_AGENT' }), { kind: 'send', body: { recipient: { id: '9001' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'Hello' } } }],
    ['a file by its link', send({ kind: 'media', body: null, attachments: [{ fileName: 'a.png', contentType: 'image/png', size: 1, providerRef: 'https://cdn.example.org/a.png' }] }), { kind: 'send', body: { recipient: { id: '9001' }, message: { attachment: { type: 'image', payload: { url: 'https://cdn.example.org/a.png' } } } } }],
    ['a private reply', send({ commentReply: { commentId: 'c1', mode: 'private' } }), { kind: 'send', body: { recipient: { comment_id: 'c1' }, message: { text: 'Hello' } } }],
    ['a public reply', send({ commentReply: { commentId: 'c1', mode: 'public' } }), { kind: 'public-reply', commentId: 'c1', message: 'Hello' }],
  ])('%s', (_label, message, request) => {
    expect(buildInstagramRequest(message)).toEqual({ ok: true, request });
  });

  it.each([
    ['a template', send({ kind: 'template', template: { name: 'x', language: 'en', parameters: {} } }), 'INSTAGRAM_TEMPLATES_UNSUPPORTED'],
    ['text over 1000 bytes', send({ body: 'é'.repeat(501) }), 'INSTAGRAM_TEXT_TOO_LONG'],
    ['a file without a link', send({ kind: 'media', body: null, attachments: [{ fileName: 'a.pdf', contentType: 'application/pdf', size: 1, storageKey: 'k' }] }), 'INSTAGRAM_MEDIA_NEEDS_LINK'],
    ['a file with text', send({ attachments: [{ fileName: 'a.pdf', contentType: 'application/pdf', size: 1, providerRef: 'https://x.example/a' }] }), 'INSTAGRAM_ONE_PART_PER_MESSAGE'],
  ])('%s is refused for good before sending', (_label, message, code) => {
    expect(buildInstagramRequest(message)).toMatchObject({ ok: false, retryable: false, code });
  });
});

describe("Instagram's refusals", () => {
  const graph = (status: number, code: number, subcode?: number) => new GraphError(status, { code, ...(subcode ? { error_subcode: subcode } : {}), message: 'said' });

  it.each([
    ['outside the window (IG login)', graph(403, 10, 2534022), { retryable: false, code: '10/2534022' }],
    ['outside the window (FB login)', graph(400, 10, 2018278), { retryable: false, code: '10/2018278' }],
    ['an unavailable person', graph(400, 551, 1545041), { retryable: false, code: '551/1545041' }],
    ['a refused token', graph(401, 190), { retryable: true, channelNeedsAttention: true, code: '190' }],
    ['a rate limit', graph(400, 613), { retryable: true, code: '613' }],
    ['an app rate limit', graph(400, 4), { retryable: true, code: '4' }],
    ['a server error', new GraphError(502, undefined), { retryable: true, code: 'HTTP_502' }],
    ['an invalid parameter', graph(400, 100), { retryable: false, code: '100' }],
  ])('%s', (_label, error, expected) => {
    expect(classifyInstagramFailure(error)).toMatchObject({ ok: false, ...expected });
  });

  it('a timeout is retried', () => {
    expect(classifyInstagramFailure(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toMatchObject({ retryable: true, code: 'TIMEOUT' });
  });
});
