// Writing to the customer: free text when the window allows it (disabled with the reason when not),
// an approved template with a live preview, a private note, files (picked or dropped, uploaded at once),
// and an email subject for new email tickets.
import { useCallback, useState, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { ErrorNote, Loading } from '../../components/Notice.js';
import { messageOf } from '../../lib/api.js';
import type { AgentSettableStatus, ChannelKind, OutgoingMessage, ReplyWindow } from '../../lib/types.js';
import { AttachButton, AttachedFiles } from './AttachedFiles.js';
import { TemplatePicker, type TemplateChoice } from './TemplatePicker.js';
import { missingParameters, renderTemplate, templateParameters } from './template-text.js';
import { useFileUploads } from './use-file-uploads.js';
import { useBanner, WindowBanner } from './WindowBanner.js';

/** What the composer sends; `attachmentIds` are uploaded files (empty for a template). */
export type ComposerSend = ({ note: true; body: string } | { note: false; message: OutgoingMessage; setStatus?: AgentSettableStatus }) & { attachmentIds: string[] };

const MAX_FILES = 10;

export interface ComposerProps {
  channelId: string;
  channelKind: ChannelKind;
  /** The pre-flight for this contact on this channel; null while it loads. */
  window: ReplyWindow | null;
  windowError: string | null;
  /** Asks the pre-flight again (the window ran out, or the customer wrote). */
  refreshWindow(): void;
  onSend(send: ComposerSend): Promise<void>;
  /** Replies can be private notes and set a status; a new conversation cannot. */
  mode: 'reply' | 'new';
  /** Bumped by the thread's "send a template instead". */
  templateRequest?: number;
  sendLabel?: string;
  /**
   * The comment being answered, if any: its own rules apply (a private reply for 7 days after the
   * comment, a public one any time), not the direct-message window, so free text is not blocked by it.
   */
  commentAnswer?: { label: string; onCancel(): void } | null;
}

type Mode = 'text' | 'template' | 'note';

export function Composer(props: ComposerProps) {
  const { window, channelKind, mode } = props;
  const banner = useBanner(window, props.refreshWindow);
  const templatesPossible = channelKind === 'whatsapp' && window?.template.allowed === true;
  const [chosen, setChosen] = useState<Mode>('text');
  const [body, setBody] = useState('');
  const [subject, setSubject] = useState('');
  const [template, setTemplate] = useState<TemplateChoice | null>(null);
  const [setStatus, setSetStatus] = useState<'' | AgentSettableStatus>('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onTemplate = useCallback((choice: TemplateChoice | null) => setTemplate(choice), []);
  // WhatsApp delivers one file per message; a note keeps any number.
  const oneFile = channelKind === 'whatsapp' && chosen !== 'note';
  const uploads = useFileUploads(
    oneFile ? 1 : MAX_FILES,
    oneFile ? 'WhatsApp sends one file per message: send this one, then attach the next.' : `A message can carry at most ${MAX_FILES} files.`,
  );
  const [dragging, setDragging] = useState(false);

  // Outside the window only a template goes through, so the composer opens on it.
  const templateOnly = banner?.templateOnly === true;
  const [lastTemplateOnly, setLastTemplateOnly] = useState(templateOnly);
  if (templateOnly !== lastTemplateOnly) {
    setLastTemplateOnly(templateOnly);
    if (templateOnly && chosen === 'text') setChosen('template');
    if (!templateOnly && chosen === 'template' && !template) setChosen('text');
  }
  const [seenRequest, setSeenRequest] = useState(props.templateRequest);
  if (props.templateRequest !== seenRequest) {
    setSeenRequest(props.templateRequest);
    setChosen('template');
  }

  const effective: Mode = chosen === 'template' && !templatesPossible ? 'text' : chosen;
  const freeFormRefusal = banner?.freeFormRefusal ?? null;
  const answeringComment = props.commentAnswer != null;
  const textBlocked = effective === 'text' && freeFormRefusal !== null && !answeringComment;
  const missing = template ? missingParameters(template.template, template.values) : [];
  const askSubject = mode === 'new' && channelKind === 'email';

  const files = uploads.readyIds;
  const filesWaiting = uploads.busy || uploads.failed;
  // Files attached in another mode that this one cannot carry.
  const filesRefused =
    uploads.files.length === 0
      ? null
      : effective === 'template'
        ? 'A template cannot carry files: remove them, or send them in a message of their own.'
        : channelKind === 'instagram' && effective !== 'note'
          ? 'Instagram takes files only from a public link: remove the files, or keep them in a private note.'
          : oneFile && uploads.files.length > 1
            ? 'WhatsApp sends one file per message: remove all but one, or keep them in a private note.'
            : null;
  const canSend =
    !busy &&
    window !== null &&
    !filesWaiting &&
    filesRefused === null &&
    (effective === 'note'
      ? body.trim() !== '' || files.length > 0
      : effective === 'text'
        ? !textBlocked && (body.trim() !== '' || files.length > 0)
        : template !== null && missing.length === 0);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    setBusy(true);
    setError(null);
    try {
      const status = setStatus || undefined;
      if (effective === 'note') await props.onSend({ note: true, body: body.trim(), attachmentIds: files });
      else if (effective === 'text')
        await props.onSend({ note: false, message: { kind: 'text', body: body.trim(), ...(askSubject && subject.trim() ? { subject: subject.trim() } : {}) }, setStatus: status, attachmentIds: files });
      else if (template) {
        const { template: t, values } = template;
        await props.onSend({ note: false, message: { kind: 'template', template: { name: t.name, language: t.language, parameters: templateParameters(t, values) }, body: renderTemplate(t, values) }, setStatus: status, attachmentIds: [] });
      }
      uploads.clear();
      setBody('');
      setSubject('');
      setSetStatus('');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  };

  // Instagram fetches a file from a public link, which an uploaded file does not have; notes keep files.
  const instagramMessage = channelKind === 'instagram' && effective !== 'note';
  const filesAllowed = effective !== 'template' && !textBlocked && !instagramMessage;
  const dragHandlers = filesAllowed
    ? {
        onDragOver: (event: DragEvent) => {
          if (!event.dataTransfer.types.includes('Files')) return;
          event.preventDefault();
          setDragging(true);
        },
        onDragLeave: (event: DragEvent) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
        },
        onDrop: (event: DragEvent) => {
          event.preventDefault();
          setDragging(false);
          uploads.add(event.dataTransfer.files);
        },
      }
    : {};

  return (
    <form className={`composer composer-${effective}${dragging ? ' dragging' : ''}`} onSubmit={submit} aria-label="Composer" onKeyDown={onKeyDown} {...dragHandlers}>
      {dragging && (
        <p className="drop-hint" aria-hidden="true">
          Drop files to attach them
        </p>
      )}
      {/* An answer to a comment follows the comment's rules, said in its own line below, not the direct-message window. */}
      {answeringComment && effective === 'text' ? null : props.windowError ? <ErrorNote>{props.windowError}</ErrorNote> : banner ? <WindowBanner banner={banner} /> : <Loading what="what you can send" />}
      <div className="composer-modes" role="tablist" aria-label="What to send">
        <button type="button" role="tab" aria-selected={effective === 'text'} onClick={() => setChosen('text')}>
          Message
        </button>
        {templatesPossible && (
          <button type="button" role="tab" aria-selected={effective === 'template'} onClick={() => setChosen('template')}>
            Template
          </button>
        )}
        {mode === 'reply' && (
          <button type="button" role="tab" aria-selected={effective === 'note'} onClick={() => setChosen('note')}>
            Private note
          </button>
        )}
      </div>
      {props.commentAnswer && effective === 'text' && (
        <p className="comment-answer" role="status">
          {props.commentAnswer.label}{' '}
          <button type="button" className="link" onClick={props.commentAnswer.onCancel}>
            Cancel
          </button>
        </p>
      )}
      {askSubject && effective === 'text' && (
        <label>
          Subject
          <input value={subject} onChange={(e) => setSubject(e.target.value)} placeholder="What is this about?" maxLength={998} />
        </label>
      )}
      {effective === 'template' ? (
        <TemplatePicker channelId={props.channelId} onChange={onTemplate} />
      ) : (
        <>
          <label className="visually-hidden" htmlFor="composer-text">
            {effective === 'note' ? 'Private note' : 'Message'}
          </label>
          <textarea
            id="composer-text"
            value={body}
            disabled={textBlocked}
            rows={4}
            placeholder={effective === 'note' ? 'A note only your team sees…' : textBlocked ? '' : 'Write a reply…  (Ctrl+Enter sends)'}
            onChange={(e) => setBody(e.target.value)}
          />
          {textBlocked && (
            <p className="refusal" role="note">
              {freeFormRefusal}
            </p>
          )}
        </>
      )}
      <AttachedFiles uploads={uploads} />
      {filesRefused && (
        <p className="refusal" role="note">
          {filesRefused}
        </p>
      )}
      {uploads.failed && <p className="muted">Remove the files that were not uploaded to send the message.</p>}
      <ErrorNote>{error}</ErrorNote>
      <div className="composer-footer">
        {filesAllowed && <AttachButton uploads={uploads} disabled={busy} />}
        {instagramMessage && effective === 'text' && !textBlocked && <span className="muted files-hint">Instagram takes files only from a public link: paste one into the message.</span>}
        {mode === 'reply' && effective !== 'note' && (
          <label>
            and
            <select value={setStatus} onChange={(e) => setSetStatus(e.target.value as '' | AgentSettableStatus)} aria-label="Status after sending">
              <option value="">keep the status</option>
              <option value="pending">set pending</option>
              <option value="resolved">set resolved</option>
            </select>
          </label>
        )}
        <button type="submit" className="primary" disabled={!canSend}>
          {busy ? 'Sending…' : uploads.busy ? 'Uploading…' : effective === 'note' ? 'Add note' : (props.sendLabel ?? 'Send')}
        </button>
      </div>
    </form>
  );
}
