// Reading, saving and trying a channel's comment rules (domain/comment-rules.ts). Only channels with
// public comments have them; the rules live in the channel's settings, validated by its setup.
import { channelAdapter } from '../../channels/registry.js';
import type { ChannelRow } from '../../db/schema.js';
import { commentRulesOf, decideComment, fillCommentReply, type CommentAction, type CommentRules } from '../../domain/comment-rules.js';
import { DomainError } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { getChannel, updateChannel } from './channel-admin.js';
import { channelAccount } from './channel.repo.js';

export interface ChannelCommentRules {
  rules: CommentRules;
  /** False while the channel runs on the defaults (no admin saved rules yet). */
  saved: boolean;
}

/** What a comment would meet: the action, the rule that decided (null: the channel's "otherwise"), and the answers it would get. */
export interface CommentTrial {
  action: CommentAction;
  rule: { id: string; name: string } | null;
  privateReply: string | null;
  publicReply: string | null;
}

export async function channelCommentRules(deps: Pick<Deps, 'store'>, workspaceId: string, channelId: string): Promise<ChannelCommentRules> {
  const settings = channelAccount(requireComments(await getChannel(deps, workspaceId, channelId))).settings;
  return { rules: commentRulesOf(settings), saved: settings.commentRules !== undefined };
}

export async function saveCommentRules(deps: Parameters<typeof updateChannel>[0], workspaceId: string, channelId: string, rules: CommentRules): Promise<ChannelCommentRules> {
  requireComments(await getChannel(deps, workspaceId, channelId));
  await updateChannel(deps, workspaceId, channelId, { settings: { commentRules: rules } });
  return { rules, saved: true };
}

/** Tries a comment against the given rules (unsaved ones while editing) or the channel's own. */
export async function tryComment(deps: Pick<Deps, 'store'>, workspaceId: string, channelId: string, comment: { text: string; post?: string | null; handle?: string | null }, rules?: CommentRules): Promise<CommentTrial> {
  const channel = requireComments(await getChannel(deps, workspaceId, channelId));
  const current = rules ?? commentRulesOf(channelAccount(channel).settings);
  const post = comment.post?.trim() || null;
  const { action, rule } = decideComment(current, { text: comment.text, mediaId: post, permalink: post });
  const values = { handle: comment.handle?.replace(/^@/, '') || null, post };
  return {
    action,
    rule: rule ? { id: rule.id, name: rule.name } : null,
    privateReply: rule?.privateReply ? fillCommentReply(rule.privateReply, values) : null,
    publicReply: rule?.publicReply ? fillCommentReply(rule.publicReply, values) : null,
  };
}

function requireComments(channel: ChannelRow): ChannelRow {
  if (!channelAdapter(channel.kind).commentFacts) throw new DomainError({ code: 'COMMENT_RULES_UNSUPPORTED', message: `A ${channel.kind} channel has no public comments, so it has no comment rules.` });
  return channel;
}
