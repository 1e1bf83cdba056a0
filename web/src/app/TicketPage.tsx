// One ticket: its actions, the thread, the composer under the reply-window pre-flight, and the contact.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ChannelIcon } from '../components/ChannelIcon.js';
import { ErrorNote, Loading } from '../components/Notice.js';
import { Composer, type ComposerSend } from '../features/composer/Composer.js';
import { ContactPanel } from '../features/contacts/ContactPanel.js';
import { markSeen } from '../features/inbox/seen.js';
import { useEarlierPages } from '../features/ticket/earlier-pages.js';
import { TicketActions } from '../features/ticket/TicketActions.js';
import { Thread, type CommentAnswerMode } from '../features/ticket/Thread.js';
import { get, messageOf, post, query } from '../lib/api.js';
import { useDirectory } from '../lib/directory.js';
import { useRealtime } from '../lib/realtime.js';
import type { Message, ReplyWindow, TicketDetail } from '../lib/types.js';
import { useLoad } from '../lib/use-load.js';

export function TicketPage({ ticketId }: { ticketId: string }) {
  const detail = useLoad(() => get<TicketDetail>(`/api/tickets/${ticketId}`), ticketId);
  const thread = useEarlierPages(ticketId, detail.data);
  const ticket = detail.data?.ticket;
  const { channel } = useDirectory();
  const source = ticket ? channel(ticket.channelId) : undefined;
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const noticeLine = useRef<HTMLParagraphElement>(null);
  const [showContact, setShowContact] = useState(false);
  const [templateRequest, setTemplateRequest] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const [commentAnswer, setCommentAnswer] = useState<{ message: Message; mode: CommentAnswerMode } | null>(null);

  const pairKey = ticket ? `${ticket.channelId}:${ticket.contact.id}` : '';
  const preflight = useLoad<ReplyWindow | null>(
    () => (ticket ? get<{ window: ReplyWindow }>(`/api/reply-window${query({ channelId: ticket.channelId, contactId: ticket.contact.id })}`).then((r) => r.window) : Promise.resolve(null)),
    pairKey,
  );
  const reloadWindow = preflight.reload;
  const refreshWindow = useCallback(() => void reloadWindow(), [reloadWindow]);

  useEffect(() => {
    if (ticket) markSeen(ticket.id, ticket.lastActivityAt);
  }, [ticket]);

  // The thread scrolls to its latest message as it opens (its effect runs first); a notice of what just
  // happened ("Split from #N") is brought back into view above it.
  const opened = ticket !== undefined;
  useEffect(() => {
    if (opened) noticeLine.current?.scrollIntoView({ block: 'nearest' });
  }, [opened, notice]);

  // Anything that happens to this ticket is read again; a customer message also moves the window.
  useRealtime((event) => {
    if (event.ticketId !== ticketId) return;
    void detail.reload();
    if (event.type === 'message.created') void preflight.reload();
  });

  if (detail.error) return <ErrorNote>{detail.error}</ErrorNote>;
  if (!detail.data || !ticket) return <Loading what="the ticket" />;

  const send = async (send: ComposerSend) => {
    const files = send.attachmentIds.length ? { attachmentIds: send.attachmentIds } : {};
    if (send.note) await post(`/api/tickets/${ticketId}/notes`, { body: send.body, ...files });
    else {
      const answer = commentAnswer && send.message.kind === 'text' ? { commentReply: { commentMessageId: commentAnswer.message.id, mode: commentAnswer.mode } } : {};
      await post(`/api/tickets/${ticketId}/replies`, { message: send.message, ...(send.setStatus ? { setStatus: send.setStatus } : {}), ...files, ...answer });
      setCommentAnswer(null);
    }
    await detail.reload();
  };
  const sendAgain = async (message: Message) => {
    try {
      setActionError(null);
      await send({ note: false, message: { kind: 'text', body: message.body ?? '', ...(message.subject ? { subject: message.subject } : {}) }, attachmentIds: [] });
    } catch (failure) {
      setActionError(messageOf(failure));
    }
  };

  return (
    <div className={`ticket-page${showContact ? ' show-contact' : ''}`}>
      <section className="ticket-main" aria-labelledby="ticket-title">
        <header className="ticket-head">
          <Link to="/" className="back-link">
            ← Inbox
          </Link>
          <ChannelIcon kind={source?.kind} name={source?.name} />
          <h1 id="ticket-title">
            {ticket.contact.name ?? 'Unnamed contact'} <span className="ticket-number">#{ticket.number}</span>
          </h1>
          {ticket.subject && <p className="ticket-subject">{ticket.subject}</p>}
          <button type="button" className="contact-toggle" aria-expanded={showContact} onClick={() => setShowContact(!showContact)}>
            Contact
          </button>
        </header>
        {notice && (
          <p className="info-note" role="status" ref={noticeLine}>
            {notice}
          </p>
        )}
        <TicketActions
          ticket={ticket}
          onChanged={() => {
            // The timeline gains the change too, so the whole ticket is read again.
            void detail.reload();
          }}
        />
        <ErrorNote>{actionError}</ErrorNote>
        <Thread detail={thread.detail ?? detail.data} onLoadEarlier={thread.loadEarlier} onSendAgain={(m) => void sendAgain(m)} onUseTemplate={() => setTemplateRequest((n) => n + 1)} canUseTemplates={source?.kind === 'whatsapp'}
          onAnswerComment={source?.kind === 'instagram' ? (message, mode) => setCommentAnswer({ message, mode }) : undefined}
        />
        {ticket.status === 'closed' ? (
          <p className="info-note">This ticket is closed. Reopen it to write here; a new customer message opens a new ticket.</p>
        ) : (
          <Composer
            key={ticket.id}
            mode="reply"
            channelId={ticket.channelId}
            channelKind={preflight.data?.channelKind ?? source?.kind ?? 'email'}
            window={preflight.data ?? null}
            windowError={preflight.error}
            refreshWindow={refreshWindow}
            onSend={send}
            templateRequest={templateRequest}
            commentAnswer={
              commentAnswer && {
                label:
                  commentAnswer.mode === 'private'
                    ? `Answering privately, as a direct message, to the comment “${excerpt(commentAnswer.message.body)}”. Instagram allows one private reply, within 7 days of the comment.`
                    : `Answering in public, under the comment “${excerpt(commentAnswer.message.body)}”. Everyone who sees the post can read it.`,
                onCancel: () => setCommentAnswer(null),
              }
            }
          />
        )}
      </section>
      <ContactPanel key={ticket.contact.id} contactId={ticket.contact.id} currentTicketId={ticket.id} />
    </div>
  );
}

function excerpt(text: string | null): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
