// The sandbox simulator: write to a sandbox channel as a customer would (WhatsApp, an Instagram DM or
// comment, on a post of one's choosing, an email), through the channel's real webhook or mail path, and
// watch what the brand sends back.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ChannelSelect } from '../../components/ChannelSelect.js';
import { Empty, ErrorNote, Loading } from '../../components/Notice.js';
import { get, messageOf, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { useRealtime } from '../../lib/realtime.js';
import { dateTime } from '../../lib/time.js';
import type { Channel, ChannelCommentRules, ChannelKind, SandboxSent } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';

const POLL_MS = 2_000;

const ADDRESS: Record<ChannelKind, { label: string; example: string; hint: string }> = {
  whatsapp: { label: "Customer's phone number", example: '+44 7700 900123', hint: 'With the country code, as WhatsApp shows it.' },
  instagram: { label: "Customer's Instagram id", example: '17841400000000123', hint: 'The id Instagram gives the customer for your account (digits).' },
  email: { label: "Customer's email address", example: 'sam@example.com', hint: 'The brand answers this address.' },
};

/** Who writes on WhatsApp: a phone number, a username with no phone, or both (a username customer whose phone is known). */
type WhatsappWriter = 'phone' | 'username' | 'both';

const WRITERS: { value: WhatsappWriter; label: string; hint: string }[] = [
  { value: 'phone', label: 'Phone number', hint: 'The customer writes from their phone number, as most customers do.' },
  { value: 'username', label: 'Username only', hint: 'The customer writes as their WhatsApp username; you never see their phone number.' },
  { value: 'both', label: 'Phone and username', hint: 'A username customer whose phone number WhatsApp also shares, for example after they gave it to you.' },
];

/**
 * WhatsApp's business-scoped user id (BSUID): what a username customer is known by when no phone is
 * shared, a country code, a dot and digits. The server checks the same shape.
 */
const USER_ID = /^[A-Z]{2}\.[A-Za-z0-9.]{1,128}$/;
const USER_ID_PATTERN = '[A-Z]{2}\\.[A-Za-z0-9.]{1,128}';

/** A valid-looking BSUID: "US." and 20 digits, the first not a zero. */
function newUserId(): string {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(20)), (byte, index) => (index === 0 ? 1 + (byte % 9) : byte % 10));
  return `US.${digits.join('')}`;
}

export function Simulator() {
  const { channels } = useDirectory();
  const sandboxChannels = channels.filter((c) => c.sandbox);
  const [channelId, setChannelId] = useState('');
  const channel = sandboxChannels.find((c) => c.id === channelId) ?? sandboxChannels[0];

  if (channels.length > 0 && !channel) return <Empty>No channel is in sandbox mode. An admin can add a sandbox channel in Settings to try Threadbox without a provider account.</Empty>;
  if (!channel) return <Loading what="the sandbox channels" />;

  return (
    <div className="simulator">
      <header className="simulator-head">
        <h1 id="simulator-title">Simulator</h1>
        <p className="muted">
          Write as a customer to a sandbox channel. The message takes the channel&apos;s real webhook or mail path, so it reaches the inbox like a customer&apos;s would. Next to
          it is what the brand sent back.
        </p>
        <ChannelSelect label="Sandbox channel" channels={sandboxChannels} value={channel.id} onChange={setChannelId} />
      </header>
      <div className="simulator-panes">
        <CustomerForm key={channel.id} channel={channel} />
        <SentByBrand channel={channel} />
      </div>
    </div>
  );
}

function CustomerForm({ channel }: { channel: Channel }) {
  const address = ADDRESS[channel.kind];
  const [from, setFrom] = useState(address.example);
  const [writer, setWriter] = useState<WhatsappWriter>('phone');
  const [username, setUsername] = useState('sam.sandbox');
  const [userId, setUserId] = useState(newUserId);
  const [name, setName] = useState('Sam Sandbox');
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [asComment, setAsComment] = useState(false);
  const [mediaId, setMediaId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const ids = { writers: useId(), userIdHint: useId(), nameHint: useId() };
  const whatsapp = channel.kind === 'whatsapp';
  const withPhone = !whatsapp || writer !== 'username';
  const withUsername = whatsapp && writer !== 'phone';
  // The simulator's customer: the phone, or the BSUID for a customer who writes by username only. A
  // malformed BSUID is left to the field's own check, which says what is wrong when the form is sent.
  const sender = withPhone ? from.trim() : userId.trim();
  const complete = !!sender && (!withUsername || (!!username.trim() && !!userId.trim()));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      await post('/api/sandbox/customer-messages', {
        channelId: channel.id,
        from: sender,
        text: text.trim(),
        ...(withUsername ? { username: username.trim() } : {}),
        ...(withUsername && withPhone ? { userId: userId.trim() } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(channel.kind === 'email' && subject.trim() ? { subject: subject.trim() } : {}),
        ...(channel.kind === 'instagram' && asComment ? { comment: mediaId.trim() ? { mediaId: mediaId.trim() } : {} } : {}),
      });
      setSent(`Sent as ${name.trim() || (withUsername ? username.trim() : sender)}. It shows in the inbox within a second.`);
      setText('');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="simulator-customer" aria-labelledby="customer-title" onSubmit={submit}>
      <h2 id="customer-title">Write as the customer</h2>
      {whatsapp && (
        <fieldset className="who-writes" aria-describedby={`${ids.writers}-hint`}>
          <legend>Who writes</legend>
          <p id={`${ids.writers}-hint`} className="hint">
            Customers who adopted a WhatsApp username may write without sharing their phone number.
          </p>
          <div className="who-options">
            {WRITERS.map((option) => (
              <div key={option.value} className="who-option">
                <label className="inline">
                  <input
                    type="radio"
                    name={`${ids.writers}-writer`}
                    value={option.value}
                    checked={writer === option.value}
                    onChange={() => setWriter(option.value)}
                    aria-describedby={`${ids.writers}-${option.value}`}
                  />
                  {option.label}
                </label>
                <span id={`${ids.writers}-${option.value}`} className="hint">
                  {option.hint}
                </span>
              </div>
            ))}
          </div>
        </fieldset>
      )}
      {withPhone && (
        <label>
          {address.label}
          <input value={from} onChange={(e) => setFrom(e.target.value)} required maxLength={320} autoComplete="off" />
          <span className="hint">{address.hint}</span>
        </label>
      )}
      {withUsername && (
        <>
          <label>
            Customer&apos;s WhatsApp username
            <input value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={100} autoComplete="off" spellCheck={false} />
            <span className="hint">The name they picked in WhatsApp, such as sam.sandbox.</span>
          </label>
          <div className="user-id-field">
            <label>
              Customer&apos;s user id (BSUID)
              <input
                value={userId}
                onChange={(e) => setUserId(e.target.value)}
                required
                maxLength={140}
                pattern={USER_ID_PATTERN}
                title={'Two capital letters, a dot and letters or digits, such as US.13491208655302741918'}
                autoComplete="off"
                spellCheck={false}
                aria-describedby={ids.userIdHint}
              />
            </label>
            <button type="button" onClick={() => setUserId(newUserId())}>
              New user id
            </button>
            <span id={ids.userIdHint} className="hint">
              The id WhatsApp gives this customer for your business instead of a phone number. Your answers go to it until a phone number is known; keep it to write again
              as the same customer.
            </span>
          </div>
        </>
      )}
      <label>
        Customer&apos;s name (optional)
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoComplete="off" aria-describedby={withUsername ? ids.nameHint : undefined} />
        {withUsername && (
          <span id={ids.nameHint} className="hint">
            Their WhatsApp profile name. Left empty, the inbox shows the username.
          </span>
        )}
      </label>
      {channel.kind === 'instagram' && (
        <fieldset className="segmented-choice">
          <legend>Write</legend>
          <label className="inline">
            <input type="radio" name="instagram-mode" checked={!asComment} onChange={() => setAsComment(false)} /> a direct message
          </label>
          <label className="inline">
            <input type="radio" name="instagram-mode" checked={asComment} onChange={() => setAsComment(true)} /> a comment on a post
          </label>
          {asComment && <PostField channel={channel} value={mediaId} onChange={setMediaId} />}
        </fieldset>
      )}
      {channel.kind === 'email' && (
        <label>
          Subject
          <input value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={200} placeholder="A question" />
        </label>
      )}
      <label>
        {asComment && channel.kind === 'instagram' ? 'Comment' : 'Message'}
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={4} required maxLength={4096} placeholder="Hi, where is my order?" />
      </label>
      <ErrorNote>{error}</ErrorNote>
      {sent && (
        <p className="info-note" role="status">
          {sent}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || !complete || !text.trim()}>
        {busy ? 'Sending…' : 'Send as the customer'}
      </button>
    </form>
  );
}

/**
 * The post a simulated comment is left on: a media id, typed or picked from the posts the channel's saved
 * comment rules name, so a rule for one post can be tried. Sandbox comments carry no link, so posts named
 * by their link are not offered.
 */
function PostField({ channel, value, onChange }: { channel: Channel; value: string; onChange(value: string): void }) {
  const listId = useId();
  const rules = useLoad(() => get<ChannelCommentRules>(`/api/channels/${encodeURIComponent(channel.id)}/comment-rules`).then((r) => r.rules.rules), channel.id);
  const posts = new Map<string, string>();
  for (const rule of rules.data ?? []) for (const post of rule.posts ?? []) if (/^\d{1,25}$/.test(post.trim()) && !posts.has(post.trim())) posts.set(post.trim(), rule.name);
  return (
    <label>
      Post (optional)
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={listId}
        maxLength={25}
        inputMode="numeric"
        pattern="\d*"
        placeholder="media id (digits); empty for a new post"
        autoComplete="off"
      />
      <datalist id={listId}>
        {[...posts].map(([post, ruleName]) => (
          <option key={post} value={post} label={`Post of the rule “${ruleName}”`} />
        ))}
      </datalist>
      <span className="hint">
        {posts.size > 0
          ? `Pick ${posts.size === 1 ? 'the post' : `one of the ${posts.size} posts`} the channel's comment rules name, to try a rule for one post, or type a media id.`
          : "Type a media id to comment on a given post. Posts named by id in the channel's comment rules are offered here."}
      </span>
    </label>
  );
}

function SentByBrand({ channel }: { channel: Channel }) {
  const sent = useLoad(() => get<{ sent: SandboxSent[] }>(`/api/sandbox/channels/${channel.id}/sent`).then((r) => r.sent), channel.id);
  const { reload } = sent;
  // The list lives in the server's memory and changes with no event of its own: it is read every two
  // seconds, and at once when a message's delivery changes.
  useEffect(() => {
    const timer = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useRealtime((event) => event.type === 'message.status' && void reload());

  return (
    <section className="simulator-sent" aria-labelledby="sent-title">
      <h2 id="sent-title">What the brand sent</h2>
      <ErrorNote>{sent.error}</ErrorNote>
      {sent.loading && <Loading what="what the brand sent" />}
      {sent.data?.length === 0 && <Empty>Nothing sent from {channel.name} yet. Answer the customer from the inbox and the message shows up here.</Empty>}
      {sent.data && sent.data.length > 0 && (
        <ol className="sent-list" aria-label="Sent messages">
          {sent.data.map((message, index) => (
            <li key={`${message.at}-${index}`} className="sent-item">
              <div className="sent-head">
                <SentTo channel={channel} to={message.to} />
                {message.kind !== 'text' && <span className="label">{message.kind}</span>}
                {message.tag && <span className="label">{message.tag}</span>}
                <time dateTime={new Date(message.at).toISOString()}>{dateTime(message.at)}</time>
              </div>
              <p>{message.text ?? <span className="muted">No text</span>}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * Whom a send went to, readably: on WhatsApp a phone number with its "+", or, for a customer who writes
 * by username and shares no phone, the BSUID with a word on what it is.
 */
function SentTo({ channel, to }: { channel: Channel; to: string }) {
  if (channel.kind === 'whatsapp' && USER_ID.test(to)) {
    return (
      <>
        <span className="sent-to">
          To user id <bdi>{to}</bdi>
        </span>
        <span className="label">username customer, no phone number</span>
      </>
    );
  }
  return <span className="sent-to">To {channel.kind === 'whatsapp' && /^\d+$/.test(to) ? `+${to}` : to}</span>;
}
