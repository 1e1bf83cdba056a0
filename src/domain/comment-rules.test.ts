import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMENT_RULES, commentRulesOf, decideComment, fillCommentReply, isEmojiOrMentionsOnly, type CommentRule, type CommentRules } from './comment-rules.js';

const rule = (overrides: Partial<CommentRule>): CommentRule => ({ id: 'r', name: 'Rule', posts: null, match: 'any', action: 'ticket', ...overrides });
const on = (text: string, post: { mediaId?: string; permalink?: string } = {}) => ({ text, mediaId: post.mediaId ?? null, permalink: post.permalink ?? null });

describe('deciding what a comment opens', () => {
  it('the first rule that fits decides; a comment no rule takes gets the channel\'s otherwise', () => {
    const rules: CommentRules = { rules: [rule({ id: 'q', match: 'question' }), rule({ id: 'all', match: 'any', action: 'record' })], otherwise: 'ticket' };
    expect(decideComment(rules, on('Do you ship?'))).toMatchObject({ action: 'ticket', rule: { id: 'q' } });
    expect(decideComment(rules, on('nice'))).toMatchObject({ action: 'record', rule: { id: 'all' } });
    expect(decideComment({ rules: [], otherwise: 'ticket' }, on('nice'))).toEqual({ action: 'ticket', rule: null });
  });

  it('finds keywords and phrases whole, ignoring case and accents, and anywhere in scripts written without spaces', () => {
    const rules: CommentRules = { rules: [rule({ match: 'keywords', keywords: ['envío', 'talla m', '价格'] })], otherwise: 'record' };
    expect(decideComment(rules, on('ENVIO a Lisboa')).action).toBe('ticket');
    expect(decideComment(rules, on('¿Hay TALLA  M?')).action).toBe('ticket');
    expect(decideComment(rules, on('请问价格多少')).action).toBe('ticket');
    expect(decideComment(rules, on('reenvíos gratis')).action).toBe('record');
  });

  it('knows questions in several scripts, and comments that are only emoji or mentions', () => {
    const question: CommentRules = { rules: [rule({ match: 'question' })], otherwise: 'record' };
    for (const text of ['Price?', '¿Precio', '多少钱？']) expect(decideComment(question, on(text)).action).toBe('ticket');
    for (const text of ['😍😍', '@ana_b @carla.m', '🔥 @ana!!', '👍🏽', '🇵🇹🇧🇷', '']) expect(isEmojiOrMentionsOnly(text)).toBe(true);
    for (const text of ['love it 😍', '@ana look at this', '10/10']) expect(isEmojiOrMentionsOnly(text)).toBe(false);
  });

  it('applies a scoped rule only to its posts, by media id or by any form of their link', () => {
    const rules: CommentRules = { rules: [rule({ posts: ['17900000000000042', 'https://www.instagram.com/p/SALE/'] })], otherwise: 'record' };
    expect(decideComment(rules, on('hi', { mediaId: '17900000000000042' })).action).toBe('ticket');
    expect(decideComment(rules, on('hi', { permalink: 'instagram.com/p/SALE?igsh=x' })).action).toBe('ticket');
    expect(decideComment(rules, on('hi', { mediaId: '1', permalink: 'https://www.instagram.com/p/OTHER/' })).action).toBe('record');
  });

  it('a channel without saved rules has the defaults; automatic answers get their variables', () => {
    expect(commentRulesOf({})).toBe(DEFAULT_COMMENT_RULES);
    expect(fillCommentReply('Hi {handle}, see {post}', { handle: 'maria', post: 'https://instagram.com/p/X/' })).toBe('Hi @maria, see https://instagram.com/p/X/');
    expect(fillCommentReply('Hi {handle}, thanks', { handle: null, post: null })).toBe('Hi, thanks');
  });
});
