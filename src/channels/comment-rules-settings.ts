// The comment rules a channel with public comments keeps in its settings (domain/comment-rules.ts), as
// admins write them: validated here for the channel's settings and for the rules' own endpoints.
import { z } from 'zod';
import { COMMENT_ACTIONS, COMMENT_MATCHES } from '../domain/comment-rules.js';

const answer = z.string().trim().max(1000).nullish().describe('sent once per comment, as automation; {handle} and {post} are filled in');

export const commentRuleSchema = z
  .strictObject({
    id: z.string().trim().min(1).max(64),
    name: z.string().trim().min(1).max(100),
    posts: z.array(z.string().trim().min(1).max(500)).max(100).nullable().describe('media ids or links of the posts and reels it applies to; null for all posts'),
    match: z.enum(COMMENT_MATCHES).describe('any; keywords (one of them, ignoring case and accents); question (a question mark); not_emoji_or_mentions'),
    keywords: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
    action: z.enum(COMMENT_ACTIONS).describe('ticket: open or join a ticket; record: kept on the contact\'s timeline, no ticket'),
    privateReply: answer,
    publicReply: answer,
  })
  .refine((rule) => rule.match !== 'keywords' || (rule.keywords?.length ?? 0) > 0, { message: 'a keywords rule needs at least one keyword', path: ['keywords'] })
  .refine((rule) => rule.action === 'ticket' || (!rule.privateReply && !rule.publicReply), { message: 'automatic answers are sent in a ticket: a rule that records only cannot have them', path: ['action'] });

export const commentRulesSchema = z
  .strictObject({
    rules: z.array(commentRuleSchema).max(50),
    otherwise: z.enum(COMMENT_ACTIONS).describe('what happens to a comment no rule takes'),
  })
  .refine((rules) => new Set(rules.rules.map((rule) => rule.id)).size === rules.rules.length, { message: 'each rule needs its own id', path: ['rules'] });
