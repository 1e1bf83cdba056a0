// The conversation: customer and team bubbles, private notes set apart, timeline events inline, media
// and downloads, email bodies in a sandboxed frame, the delivery state of every outgoing message, and
// while the ticket is active "Split into a new ticket" on every message but the first. A comment rule's
// automatic answers read as automation, under the rule that sent them.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { get } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { fileSize } from '../../lib/file-size.js';
import { dateTime } from '../../lib/time.js';
import type { ChannelCommentRules, CommentReplyData, Message, MessageAttachment, Ticket, TicketDetail, TimelineEvent } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { PreviousTicket } from './PreviousTicket.js';
import { emailDocument, splitQuoted } from './quoted.js';
import { senderCheckOf, showsUnverified, showsVerified, UnverifiedSenderNotice, VerifiedSenderMark } from './SenderCheck.js';
import { firstMessageId, SplitAction } from './SplitAction.js';
import { describeEvent } from './timeline.js';

/** How the agent answers a customer's comment: a direct message to the commenter, or a reply under it. */
export type CommentAnswerMode = 'private' | 'public';

export interface ThreadProps {
  detail: TicketDetail;
  /** Starts an answer to a comment in the composer (channels whose comments can be answered). */
  onAnswerComment?(message: Message, mode: CommentAnswerMode): void;
  /** Sends the text of a failed message again. */
  onSendAgain(message: Message): void;
  /** Switches the composer to a template, for a message refused outside the window. */
  onUseTemplate(): void;
  canUseTemplates: boolean;
  /** Reads the page of the thread before the oldest message shown (offered while `detail.olderCursor` is set). */
  onLoadEarlier?(): Promise<void>;
}

// Events and messages of the same moment read better event first: "started the conversation", then what was said.
type Item = { at: number; key: string } & ({ message: Message } | { event: TimelineEvent });

export function Thread({ detail, onSendAgain, onUseTemplate, canUseTemplates, onAnswerComment, onLoadEarlier }: ThreadProps) {
  const { userName } = useDirectory();
  const end = useRef<HTMLDivElement>(null);
  const items: Item[] = [
    ...detail.messages.map((message) => ({ at: message.createdAt, key: `m-${message.id}`, message })),
    // A failed delivery already shows on its message.
    ...detail.events.filter((e) => e.type !== 'message.failed').map((event) => ({ at: event.createdAt, key: `e-${event.id}`, event })),
  ].sort((a, b) => a.at - b.at || Number('message' in a) - Number('message' in b));

  // The names of the rules whose automatic answers are in the thread (read only when there are some).
  const channelId = detail.ticket.channelId;
  const hasAutomaticAnswers = detail.messages.some((m) => automaticAnswerOf(m)?.ruleId);
  const rules = useLoad(
    () => (hasAutomaticAnswers ? get<ChannelCommentRules>(`/api/channels/${encodeURIComponent(channelId)}/comment-rules`).then((r) => r.rules.rules) : Promise.resolve([])),
    hasAutomaticAnswers ? channelId : '',
  );
  const ruleName = (id: string) => rules.data?.find((rule) => rule.id === id)?.name ?? null;

  // The newest item: the thread scrolls to it when it changes, never when older messages are read in above.
  const newest = items.at(-1)?.key;
  // A closed ticket cannot be split, and splitting at the first message would leave the ticket empty (while
  // older messages are still unread, none shown is the first).
  const closed = detail.ticket.status === 'closed';
  const firstId = detail.olderCursor ? null : firstMessageId(detail.messages);
  const splitOf = (message: Message) => (!closed && message.id !== firstId ? detail.ticket : null);
  // Earlier messages are read in above the oldest one shown, which stays where the agent was looking.
  const keptInPlace = useRef<{ id: string; top: number } | null>(null);
  const oldestShown = detail.messages[0]?.id;
  const loadEarlier = async () => {
    const oldest = oldestShown ? end.current?.closest('.thread')?.querySelector(`[data-message-id="${CSS.escape(oldestShown)}"]`) : null;
    keptInPlace.current = oldest && oldestShown ? { id: oldestShown, top: oldest.getBoundingClientRect().top } : null;
    await onLoadEarlier?.();
  };
  useLayoutEffect(() => {
    const kept = keptInPlace.current;
    if (!kept || kept.id === oldestShown) return;
    keptInPlace.current = null;
    const element = end.current?.closest('.thread')?.querySelector(`[data-message-id="${CSS.escape(kept.id)}"]`);
    const pane = end.current?.closest('.detail');
    if (element && pane) pane.scrollTop += element.getBoundingClientRect().top - kept.top;
  }, [oldestShown]);

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
    // The composer below the thread stays in view (sticky): scrolled to the very end, it sits in its own place
    // instead of over the latest message (and a notice on it) on a short screen.
    const pane = end.current?.closest('.detail');
    if (pane) pane.scrollTop = pane.scrollHeight;
  }, [newest]);

  return (
    <ol className="thread" aria-label="Conversation">
      {detail.olderCursor && onLoadEarlier && <EarlierMessages onLoad={loadEarlier} />}
      {!detail.olderCursor && detail.ticket.previousTicket && <PreviousTicket key={detail.ticket.previousTicket.id} previous={detail.ticket.previousTicket} contactName={detail.ticket.contact.name} />}
      {items.map((item) =>
        'message' in item ? (
          <Bubble
            key={item.key}
            message={item.message}
            contactName={detail.ticket.contact.name}
            splitFrom={splitOf(item.message)}
            onSendAgain={onSendAgain}
            onUseTemplate={onUseTemplate}
            canUseTemplates={canUseTemplates}
            onAnswerComment={onAnswerComment}
            ruleName={ruleName}
            rulesPath={`/settings/channels/${encodeURIComponent(channelId)}/comment-rules`}
          />
        ) : (
          <li key={item.key} className="timeline-event">
            <span>{describeEvent(item.event, userName)}</span> <time dateTime={new Date(item.at).toISOString()}>{dateTime(item.at)}</time>
          </li>
        ),
      )}
      <div ref={end} />
    </ol>
  );
}

/** The way to the older part of a long thread, read a page at a time on request. */
function EarlierMessages({ onLoad }: { onLoad(): Promise<void> }) {
  const [state, setState] = useState<'idle' | 'loading' | 'failed'>('idle');
  const load = async () => {
    setState('loading');
    try {
      await onLoad();
      setState('idle');
    } catch {
      setState('failed');
    }
  };
  return (
    <li className="earlier-messages">
      <button type="button" onClick={() => void load()} disabled={state === 'loading'}>
        {state === 'loading' ? 'Loading earlier messages…' : 'Load earlier messages'}
      </button>
      {state === 'failed' && <span role="alert"> The earlier messages could not be read; try again.</span>}
    </li>
  );
}

const DELIVERY: Record<string, string> = { queued: 'Queued', sending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not delivered' };

interface BubbleProps {
  message: Message;
  contactName: string | null;
  /** The ticket this message can be split from, or null where it cannot. */
  splitFrom: Ticket | null;
  onSendAgain(m: Message): void;
  onUseTemplate(): void;
  canUseTemplates: boolean;
  onAnswerComment?(message: Message, mode: CommentAnswerMode): void;
  /** A comment rule's name by id; null when it is unknown (since removed, or not read yet). */
  ruleName(id: string): string | null;
  /** The page of the ticket's channel's comment rules. */
  rulesPath: string;
}

/** How an outgoing message answered a comment (a person's answer or a rule's automatic one), or null. */
function automaticAnswerOf(message: Message): CommentReplyData | null {
  const reply = message.direction === 'outbound' ? (message.data?.commentReply as CommentReplyData | undefined) : undefined;
  return reply && (reply.mode === 'private' || reply.mode === 'public') ? reply : null;
}

function Bubble({ message, contactName, splitFrom, onSendAgain, onUseTemplate, canUseTemplates, onAnswerComment, ruleName, rulesPath }: BubbleProps) {
  const { userName } = useDirectory();
  const commentReply = automaticAnswerOf(message);
  const automaticAnswer = commentReply?.ruleId && message.authorKind === 'system' ? commentReply.ruleId : null;
  const note = message.kind === 'note';
  const side = note ? 'note' : message.direction === 'inbound' ? 'customer' : 'team';
  const unsent = Boolean(message.data?.unsent);
  const senderCheck = message.direction === 'inbound' ? senderCheckOf(message) : null;
  const author =
    message.direction === 'inbound'
      ? (contactName ?? 'Customer')
      : message.authorKind === 'system'
        ? 'Automation'
        : message.authorKind === 'integration'
          ? `${message.author?.name ?? 'Integration'} (integration)`
          : userName(message.authorUserId);
  return (
    <li className={`bubble bubble-${side}${showsUnverified(senderCheck) ? ' bubble-unverified' : ''}`} data-message-id={message.id} data-status={message.status}>
      <div className="bubble-head">
        {automaticAnswer ? (
          <AutomaticAnswerAuthor name={ruleName(automaticAnswer)} rulesPath={rulesPath} />
        ) : (
          <span className="author">{note ? `Private note · ${author}` : author}</span>
        )}
        {commentReply && <span className="label">{commentReply.mode === 'private' ? 'private reply' : 'public answer'}</span>}
        {message.kind === 'comment' && <span className="label">Comment</span>}
        {unsent && <span className="label">{message.body || message.attachments.length ? 'Unsent by the customer · kept for audits' : 'Unsent by the customer'}</span>}
        {message.kind === 'template' && <span className="label">Template{message.template?.name ? `: ${message.template.name}` : ''}</span>}
        {message.automated && message.direction === 'inbound' && <span className="label">Automatic reply</span>}
        <time dateTime={new Date(message.createdAt).toISOString()}>{dateTime(message.createdAt)}</time>
      </div>
      {showsUnverified(senderCheck) && <UnverifiedSenderNotice check={senderCheck} />}
      {message.subject && <div className="subject">{message.subject}</div>}
      {message.html ? <EmailHtml html={message.html} /> : unsent && !message.body ? <p className="body muted">The customer took this message back.</p> : <Body text={message.body} kind={message.kind} hasFiles={message.attachments.length > 0} />}
      {message.attachments.length > 0 && <Attachments attachments={message.attachments} />}
      {showsVerified(senderCheck) && <VerifiedSenderMark check={senderCheck} />}
      {message.kind === 'comment' && message.direction === 'inbound' && <CommentSource message={message} onAnswer={onAnswerComment} />}
      {message.direction === 'outbound' && !note && <Delivery message={message} onSendAgain={onSendAgain} onUseTemplate={onUseTemplate} canUseTemplates={canUseTemplates} />}
      {splitFrom && <SplitAction ticket={splitFrom} messageId={message.id} />}
    </li>
  );
}

/** Who wrote a comment rule's automatic answer: the automation, under the rule (a link to the channel's rules). */
function AutomaticAnswerAuthor({ name, rulesPath }: { name: string | null; rulesPath: string }) {
  return (
    <span className="author">
      Automatic reply ({name ? <>rule <Link to={rulesPath}>“{name}”</Link></> : <Link to={rulesPath}>a comment rule</Link>})
    </span>
  );
}

/** The post a comment was left on, and the two ways to answer it. */
function CommentSource({ message, onAnswer }: { message: Message; onAnswer?: (message: Message, mode: CommentAnswerMode) => void }) {
  const comment = (message.data?.comment ?? {}) as { permalink?: string | null; mediaId?: string | null; mediaProductType?: string | null };
  const what = comment.mediaProductType === 'REELS' ? 'reel' : comment.mediaProductType === 'STORY' ? 'story' : 'post';
  return (
    <div className="comment-source">
      {comment.permalink ? (
        <a href={comment.permalink} target="_blank" rel="noreferrer noopener">
          On this {what}
        </a>
      ) : (
        <span className="muted">On {what} {comment.mediaId ?? 'unknown'}</span>
      )}
      {onAnswer && (
        <span className="comment-answers">
          <button type="button" className="link" onClick={() => onAnswer(message, 'private')}>
            Reply privately
          </button>
          <button type="button" className="link" onClick={() => onAnswer(message, 'public')}>
            Reply in public
          </button>
        </span>
      )}
    </div>
  );
}

function Body({ text, kind, hasFiles }: { text: string | null; kind: string; hasFiles: boolean }) {
  const [showQuoted, setShowQuoted] = useState(false);
  if (!text) return kind === 'text' || kind === 'note' || hasFiles ? null : <p className="body muted">This {kind} message has no text.</p>;
  const { fresh, quoted } = splitQuoted(text);
  return (
    <div className="body">
      <p>{fresh}</p>
      {quoted && (
        <>
          <button type="button" className="link" aria-expanded={showQuoted} onClick={() => setShowQuoted(!showQuoted)}>
            {showQuoted ? 'Hide quoted text' : 'Show quoted text'}
          </button>
          {showQuoted && <pre className="quoted">{quoted}</pre>}
        </>
      )}
    </div>
  );
}

/** Email HTML is shown only inside a frame that may run nothing and reach nothing. */
function EmailHtml({ html }: { html: string }) {
  const [showQuoted, setShowQuoted] = useState(false);
  return (
    <div className="body">
      <iframe className="email-frame" title="Email message" sandbox="" srcDoc={emailDocument(html, showQuoted)} />
      <button type="button" className="link" aria-expanded={showQuoted} onClick={() => setShowQuoted(!showQuoted)}>
        {showQuoted ? 'Hide quoted text' : 'Show quoted text'}
      </button>
    </div>
  );
}

function Attachments({ attachments }: { attachments: MessageAttachment[] }) {
  return (
    <ul className="attachments" aria-label="Attachments">
      {attachments.map((attachment, index) => {
        const id = attachment.id ?? attachment.attachmentId;
        const name = attachment.fileName ?? `Attachment ${index + 1}`;
        const size = attachment.size ? ` · ${fileSize(attachment.size)}` : '';
        if (!id) {
          return (
            <li key={index} className="attachment muted">
              {name}
              {size} (not downloaded yet)
            </li>
          );
        }
        const url = `/api/attachments/${encodeURIComponent(id)}/content`;
        const type = attachment.contentType ?? '';
        return (
          <li key={index} className="attachment">
            {type.startsWith('image/') && <img src={url} alt={attachment.caption ?? name} loading="lazy" />}
            {type.startsWith('video/') && <video src={url} controls preload="metadata" />}
            {type.startsWith('audio/') && <audio src={url} controls preload="none" />}
            <a href={url} download={name}>
              Download {name}
              {size}
            </a>
            {attachment.caption && <p>{attachment.caption}</p>}
          </li>
        );
      })}
    </ul>
  );
}

function Delivery({ message, onSendAgain, onUseTemplate, canUseTemplates }: { message: Message; onSendAgain(m: Message): void; onUseTemplate(): void; canUseTemplates: boolean }) {
  const label = DELIVERY[message.status] ?? message.status;
  if (message.status !== 'failed') {
    return (
      <p className={`delivery delivery-${message.status}`} aria-label={`Delivery: ${label}`}>
        {label}
      </p>
    );
  }
  return (
    <div className="delivery delivery-failed" role="group" aria-label="Delivery failed">
      <p>
        Not delivered: {message.errorMessage ?? 'the provider refused the message.'}
        {message.errorCode && <span className="code"> ({message.errorCode})</span>}
      </p>
      <div className="actions">
        {message.kind === 'text' && message.body && (
          <button type="button" onClick={() => onSendAgain(message)}>
            Send again
          </button>
        )}
        {canUseTemplates && (
          <button type="button" onClick={onUseTemplate}>
            Send a template instead
          </button>
        )}
      </div>
    </div>
  );
}
