// An Instagram channel's comment rules: which public comments open tickets and which are only recorded on
// the customer's timeline, read in order, with automatic answers. Admins add, edit, delete and reorder
// rules, set "Otherwise" and save; everyone else reads them. "Test a comment" tries a comment against
// the rules as they stand on the page, saved or not.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorNote, Loading } from '../../components/Notice.js';
import { get, post, put } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { useUser } from '../../lib/session.js';
import type { ChannelCommentRules, CommentAction, CommentMatch, CommentRule, CommentRules, CommentTrial } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { ChoiceFieldset, type Choice } from './ChoiceFieldset.js';
import { ACTION_EXPLANATIONS, ACTION_LABELS, MATCH_LABELS, matchText, quoted, refusalText, scopeText, trialSentence } from './comment-rules-text.js';

const OTHERWISE: Choice<CommentAction>[] = (['ticket', 'record'] as const).map((value) => ({ value, label: ACTION_LABELS[value], explanation: ACTION_EXPLANATIONS[value] }));
const MATCHES = Object.keys(MATCH_LABELS) as CommentMatch[];
const VARIABLES = "{handle} becomes the commenter's @handle and {post} the post's link (left out when Instagram gives none).";

export function CommentRulesSettings() {
  const { channelId = '' } = useParams();
  const admin = useUser().role === 'admin';
  const channel = useDirectory().channel(channelId);
  const loaded = useLoad(() => get<ChannelCommentRules>(`/api/channels/${encodeURIComponent(channelId)}/comment-rules`), channelId);

  return (
    <section className="comment-rules" aria-labelledby="comment-rules-title">
      {admin && (
        <Link to="/settings/channels" className="settings-back">
          ← Channels
        </Link>
      )}
      <h2 id="comment-rules-title">Comment rules{channel ? ` · ${channel.name}` : ''}</h2>
      <p className="comment-rules-intro">
        The first rule that fits a new public comment decides whether it opens a ticket or is only recorded on the customer&apos;s timeline (a comment no rule fits gets
        “Otherwise”); a customer who already has an active ticket always gets their comment in it.
      </p>
      <ErrorNote>{loaded.error}</ErrorNote>
      {!loaded.data && !loaded.error && <Loading what="the comment rules" />}
      {loaded.data && <RulesEditor channelId={channelId} initial={loaded.data} admin={admin} />}
    </section>
  );
}

function RulesEditor({ channelId, initial, admin }: { channelId: string; initial: ChannelCommentRules; admin: boolean }) {
  const [baseline, setBaseline] = useState(initial);
  const [draft, setDraft] = useState<CommentRules>(initial.rules);
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const moved = useRef<{ id: string; direction: 'up' | 'down' } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const dirty = JSON.stringify(sendable(draft)) !== JSON.stringify(sendable(baseline.rules));

  // A moved rule keeps the keyboard focus on its button, or on the other one once it reached an end.
  useEffect(() => {
    const last = moved.current;
    if (!last) return;
    moved.current = null;
    const item = document.querySelector(`[data-rule-id="${CSS.escape(last.id)}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(`button[data-move="${last.direction}"]`);
    (wanted && !wanted.disabled ? wanted : item?.querySelector<HTMLButtonElement>('button[data-move]:not(:disabled)'))?.focus();
  }, [draft]);

  const change = (rules: CommentRule[], otherwise = draft.otherwise) => {
    setDraft({ rules, otherwise });
    setDone(null);
    setError(null);
  };
  const move = (index: number, direction: 'up' | 'down') => {
    const to = direction === 'up' ? index - 1 : index + 1;
    const rules = [...draft.rules];
    const [rule] = rules.splice(index, 1);
    if (!rule || to < 0 || to > rules.length) return;
    rules.splice(to, 0, rule);
    moved.current = { id: rule.id, direction };
    change(rules);
  };
  const keep = (rule: CommentRule) => {
    change(editing === 'new' ? [...draft.rules, rule] : draft.rules.map((r) => (r.id === rule.id ? rule : r)));
    setEditing(null);
  };

  const discard = () => {
    setDraft(baseline.rules);
    setEditing(null);
    setError(null);
  };

  const save = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const answer = await put<ChannelCommentRules>(`/api/channels/${encodeURIComponent(channelId)}/comment-rules`, sendable(draft));
      setBaseline(answer);
      setDraft(answer.rules);
      setDone('Saved. New comments on this channel follow these rules.');
    } catch (failure) {
      setError(refusalText(failure, draft, 'These rules were not saved.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {!baseline.saved && (
        <p className="info-note comment-rules-defaults" role="note">
          This channel still runs on the default rules below. They apply until an admin saves the channel&apos;s own rules (saving them unchanged keeps them).
        </p>
      )}
      {!admin && <p className="muted">Only admins can change these rules.</p>}
      <ol className="settings-list comment-rule-list" aria-label="Rules">
        {draft.rules.map((rule, index) =>
          editing === rule.id ? (
            <li key={rule.id} className="settings-item comment-rule" data-rule-id={rule.id}>
              <RuleForm rule={rule} number={index + 1} onKeep={keep} onCancel={() => setEditing(null)} />
            </li>
          ) : (
            <RuleItem
              key={rule.id}
              rule={rule}
              number={index + 1}
              count={draft.rules.length}
              admin={admin}
              busy={editing !== null}
              onMove={(direction) => move(index, direction)}
              onEdit={() => setEditing(rule.id)}
              onDelete={() => change(draft.rules.filter((r) => r.id !== rule.id))}
            />
          ),
        )}
      </ol>
      {draft.rules.length === 0 && <p className="muted">No rules: every comment gets “Otherwise”.</p>}
      {admin &&
        (editing === 'new' ? (
          <div className="settings-item comment-rule new-rule">
            <RuleForm rule={null} number={draft.rules.length + 1} onKeep={keep} onCancel={() => setEditing(null)} />
          </div>
        ) : (
          <button type="button" className="add-rule" disabled={editing !== null} onClick={() => setEditing('new')}>
            Add a rule
          </button>
        ))}
      <ChoiceFieldset
        legend="Otherwise"
        hint="What happens to a comment no rule fits."
        name="comment-rules-otherwise"
        choices={OTHERWISE}
        current={draft.otherwise}
        disabled={!admin}
        onChange={(otherwise) => change(draft.rules, otherwise)}
      />
      {admin && (
        <div className="comment-rules-save">
          <ErrorNote>{error}</ErrorNote>
          {done && (
            <p className="info-note" role="status">
              {done}
            </p>
          )}
          {dirty && <p className="unsaved">Unsaved changes: comments follow the saved rules until you save.</p>}
          <div className="actions">
            <button type="button" className="primary" disabled={busy || editing !== null || (!dirty && baseline.saved)} onClick={() => void save()}>
              {busy ? 'Saving…' : 'Save rules'}
            </button>
            {dirty && (
              <button type="button" disabled={busy} onClick={discard}>
                Discard changes
              </button>
            )}
          </div>
        </div>
      )}
      <TryComment channelId={channelId} rules={draft} editable={admin} />
    </>
  );
}

interface RuleItemProps {
  rule: CommentRule;
  number: number;
  count: number;
  admin: boolean;
  /** Another rule is being edited. */
  busy: boolean;
  onMove(direction: 'up' | 'down'): void;
  onEdit(): void;
  onDelete(): void;
}

function RuleItem({ rule, number, count, admin, busy, onMove, onEdit, onDelete }: RuleItemProps) {
  const nameId = useId();
  return (
    <li className="settings-item comment-rule" data-rule-id={rule.id}>
      <div className="item-head">
        <span className="rule-number" aria-hidden="true">
          {number}
        </span>
        <strong id={nameId}>{rule.name}</strong>
        <span className={`label rule-action rule-${rule.action}`}>{rule.action === 'ticket' ? 'Opens a ticket' : 'Records only'}</span>
      </div>
      <ul className="rule-facts">
        <li>{scopeText(rule)}</li>
        <li>Fits: {matchText(rule)}</li>
        {rule.privateReply && <li>Answers privately: {quoted(rule.privateReply)}</li>}
        {rule.publicReply && <li>Answers in public: {quoted(rule.publicReply)}</li>}
      </ul>
      {admin && (
        <div className="actions">
          <button type="button" data-move="up" disabled={busy || number === 1} aria-describedby={nameId} onClick={() => onMove('up')}>
            Move up
          </button>
          <button type="button" data-move="down" disabled={busy || number === count} aria-describedby={nameId} onClick={() => onMove('down')}>
            Move down
          </button>
          <button type="button" disabled={busy} aria-describedby={nameId} onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="danger" disabled={busy} aria-describedby={nameId} onClick={onDelete}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

/** The rule being written, added or changed on the page (saved with the others). */
function RuleForm({ rule, number, onKeep, onCancel }: { rule: CommentRule | null; number: number; onKeep(rule: CommentRule): void; onCancel(): void }) {
  const ids = { title: useId(), posts: useId(), answers: useId() };
  const [name, setName] = useState(rule?.name ?? '');
  const [scope, setScope] = useState<'all' | 'some'>(rule?.posts?.length ? 'some' : 'all');
  const [posts, setPosts] = useState((rule?.posts ?? []).join('\n'));
  const [match, setMatch] = useState<CommentMatch>(rule?.match ?? 'keywords');
  const [keywords, setKeywords] = useState((rule?.keywords ?? []).join(', '));
  const [action, setAction] = useState<CommentAction>(rule?.action ?? 'ticket');
  const [privateReply, setPrivateReply] = useState(rule?.privateReply ?? '');
  const [publicReply, setPublicReply] = useState(rule?.publicReply ?? '');
  const [error, setError] = useState<string | null>(null);
  const recordOnly = action === 'record';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const postList = unique(posts.split(/\n/));
    const keywordList = unique(keywords.split(/[,\n]/));
    if (!name.trim()) return setError('Give the rule a name.');
    if (scope === 'some' && postList.length === 0) return setError('Name at least one post (its media id or link), or choose every post.');
    if (match === 'keywords' && keywordList.length === 0) return setError('Write at least one keyword, or choose another kind of comment.');
    onKeep({
      id: rule?.id ?? newRuleId(name),
      name: name.trim(),
      posts: scope === 'some' ? postList : null,
      match,
      ...(match === 'keywords' ? { keywords: keywordList } : {}),
      action,
      // Automatic answers go with a ticket: a rule that records only has none.
      privateReply: recordOnly ? null : privateReply.trim() || null,
      publicReply: recordOnly ? null : publicReply.trim() || null,
    });
  };

  return (
    <form className="stack rule-form" aria-labelledby={ids.title} onSubmit={submit} noValidate>
      <h3 id={ids.title}>{rule ? `Rule ${number}: editing` : 'New rule'}</h3>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="Sizes on the summer post" autoFocus />
      </label>
      <fieldset className="channel-choice">
        <legend>Posts</legend>
        <label className="inline">
          <input type="radio" name={`${ids.posts}-scope`} checked={scope === 'all'} onChange={() => setScope('all')} /> Every post and reel
        </label>
        <label className="inline">
          <input type="radio" name={`${ids.posts}-scope`} checked={scope === 'some'} onChange={() => setScope('some')} /> Only these posts
        </label>
        {scope === 'some' && (
          <label>
            Posts, one a line (media id or link)
            <textarea value={posts} onChange={(e) => setPosts(e.target.value)} rows={3} placeholder={'17900000000000001\nhttps://www.instagram.com/p/…'} spellCheck={false} />
          </label>
        )}
      </fieldset>
      <label>
        Fits
        <select value={match} onChange={(e) => setMatch(e.target.value as CommentMatch)}>
          {MATCHES.map((m) => (
            <option key={m} value={m}>
              {MATCH_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      {match === 'keywords' && (
        <label>
          Keywords, separated by commas
          <input value={keywords} onChange={(e) => setKeywords(e.target.value)} placeholder="size, fit, measurements" />
          <span className="hint">Words or phrases, found ignoring capitals and accents.</span>
        </label>
      )}
      <ChoiceFieldset legend="Then" hint="What happens to a comment this rule fits." name={`${ids.posts}-action`} choices={OTHERWISE} current={action} onChange={(value) => setAction(value)} />
      <p id={ids.answers} className="hint answer-variables">
        {recordOnly ? 'Automatic answers go with a ticket, so a rule that records only sends none.' : `Sent once per comment, as automation. ${VARIABLES}`}
      </p>
      <label>
        Private reply (optional)
        <textarea value={privateReply} onChange={(e) => setPrivateReply(e.target.value)} rows={2} maxLength={1000} disabled={recordOnly} aria-describedby={ids.answers} placeholder="Hi {handle}, happy to help with sizes: which one do you usually wear?" />
      </label>
      <label>
        Public answer (optional)
        <textarea value={publicReply} onChange={(e) => setPublicReply(e.target.value)} rows={2} maxLength={1000} disabled={recordOnly} aria-describedby={ids.answers} placeholder="Thanks {handle}! We sent you a message." />
      </label>
      <ErrorNote>{error}</ErrorNote>
      <div className="actions">
        <button type="submit" className="primary">
          {rule ? 'Done' : 'Add the rule'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** "Test a comment": which rule a comment would meet with the rules on the page, and what would happen. */
function TryComment({ channelId, rules, editable }: { channelId: string; rules: CommentRules; editable: boolean }) {
  const ids = { posts: useId() };
  const [text, setText] = useState('');
  const [postRef, setPostRef] = useState('');
  const [handle, setHandle] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ key: string; sentence: string; failed: boolean } | null>(null);
  // What the answer was for: a change to the comment or the rules makes it stale, and it is no longer shown.
  const key = JSON.stringify([text, postRef, handle, sendable(rules)]);
  const shown = answer?.key === key ? answer : null;
  const posts = unique(rules.rules.flatMap((rule) => rule.posts ?? []));
  const answerLine = useRef<HTMLDivElement>(null);
  // The answer comes under the button, below the fold on a small screen: it is brought into view.
  useEffect(() => {
    if (answer) answerLine.current?.scrollIntoView({ block: 'nearest' });
  }, [answer]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      const trial = await post<CommentTrial>(`/api/channels/${encodeURIComponent(channelId)}/comment-rules/test`, {
        text,
        post: postRef.trim() || null,
        handle: handle.trim().replace(/^@/, '') || null,
        rules: sendable(rules),
      });
      setAnswer({ key, sentence: trialSentence(trial), failed: false });
    } catch (failure) {
      setAnswer({ key, sentence: refusalText(failure, rules, 'The comment could not be tried with these rules.'), failed: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-item stack try-comment" aria-labelledby="try-comment-title" onSubmit={submit}>
      <h3 id="try-comment-title">Test a comment</h3>
      <p className="hint">{editable ? 'Tries a comment against the rules as they are on this page, saved or not.' : 'Tries a comment against these rules.'} Nothing is sent.</p>
      <label>
        Comment
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={2200} placeholder="Does this come in a medium?" />
      </label>
      <div className="inline-fields try-comment-fields">
        <label>
          Post (optional)
          <input value={postRef} onChange={(e) => setPostRef(e.target.value)} list={ids.posts} maxLength={500} placeholder="media id or link" spellCheck={false} />
          <datalist id={ids.posts}>
            {posts.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
        </label>
        <label>
          Commenter&apos;s handle (optional)
          <input value={handle} onChange={(e) => setHandle(e.target.value)} maxLength={64} placeholder="sam.sandbox" spellCheck={false} autoComplete="off" />
        </label>
      </div>
      <div className="actions">
        <button type="submit" disabled={busy || !text.trim()}>
          {busy ? 'Testing…' : 'Test the comment'}
        </button>
      </div>
      <div ref={answerLine}>
        {shown &&
          (shown.failed ? (
            <ErrorNote>{shown.sentence}</ErrorNote>
          ) : (
            <p className="trial-result" role="status">
              {shown.sentence}
            </p>
          ))}
      </div>
    </form>
  );
}

/** The rules as the API takes them: keywords only on a keywords rule, answers only on a rule that opens tickets. */
function sendable(rules: CommentRules): CommentRules {
  return {
    otherwise: rules.otherwise,
    rules: rules.rules.map((rule) => ({
      id: rule.id,
      name: rule.name,
      posts: rule.posts && rule.posts.length > 0 ? rule.posts : null,
      match: rule.match,
      ...(rule.match === 'keywords' ? { keywords: rule.keywords ?? [] } : {}),
      action: rule.action,
      privateReply: rule.action === 'ticket' ? rule.privateReply || null : null,
      publicReply: rule.action === 'ticket' ? rule.publicReply || null : null,
    })),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

/** A rule's id: its first name, readable in logs, and a random part so two rules of one name stay apart. */
function newRuleId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'rule'}-${crypto.randomUUID().slice(0, 8)}`;
}
