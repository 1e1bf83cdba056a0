// "+ New": pick a channel, find the contact (or type a new address), write under that pair's
// pre-flight, send, and land in the ticket (the contact's active one when there is one).
import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router';
import { ChannelSelect } from '../components/ChannelSelect.js';
import { Empty } from '../components/Notice.js';
import { Composer, type ComposerSend } from '../features/composer/Composer.js';
import { ContactPicker } from '../features/contacts/ContactPicker.js';
import { get, post, query } from '../lib/api.js';
import { useDirectory } from '../lib/directory.js';
import type { ContactSummary, ReplyWindow, Ticket } from '../lib/types.js';
import { useLoad } from '../lib/use-load.js';
import { windowForNewAddress } from '../lib/window-banner.js';

type Recipient = { contact: ContactSummary } | { address: string; name: string };

const ADDRESS_HINT = { whatsapp: 'Phone number with country code, e.g. +44 7700 900123', instagram: 'Instagram customers must write first', email: 'Email address, e.g. jane@example.com' } as const;

export function NewConversationPage() {
  const { channels } = useDirectory();
  const navigate = useNavigate();
  const usable = channels.filter((c) => c.enabled);
  const [channelId, setChannelId] = useState('');
  const channel = usable.find((c) => c.id === channelId) ?? usable[0];
  const [recipient, setRecipient] = useState<Recipient | null>(null);
  const [typed, setTyped] = useState('');

  const contactId = recipient && 'contact' in recipient ? recipient.contact.id : null;
  const preflight = useLoad<ReplyWindow | null>(
    () =>
      channel && contactId
        ? get<{ window: ReplyWindow }>(`/api/reply-window${query({ channelId: channel.id, contactId })}`).then((r) => r.window)
        : Promise.resolve(channel && recipient ? windowForNewAddress(channel.kind) : null),
    `${channel?.id}:${contactId ?? (recipient ? 'new' : '')}`,
  );
  const reloadWindow = preflight.reload;
  const refreshWindow = useCallback(() => void reloadWindow(), [reloadWindow]);

  if (channels.length > 0 && usable.length === 0) return <Empty>Every channel is switched off. An admin can switch one on in Settings.</Empty>;
  if (!channel) return <Empty>Connect a channel in Settings to start conversations.</Empty>;

  const send = async (send: ComposerSend) => {
    if (send.note || !recipient) return;
    const contact = 'contact' in recipient ? { contactId: recipient.contact.id } : { address: recipient.address, ...(recipient.name.trim() ? { name: recipient.name.trim() } : {}) };
    const answer = await post<{ created: boolean; ticket: Ticket }>('/api/tickets', { channelId: channel.id, contact, message: send.message, ...(send.attachmentIds.length ? { attachmentIds: send.attachmentIds } : {}) });
    const notice = answer.created ? undefined : `${answer.ticket.contact.name ?? 'This contact'} already had an active ticket on ${channel.name}, so your message was added to ticket #${answer.ticket.number}.`;
    navigate(`/tickets/${answer.ticket.id}`, { state: notice ? { notice } : null });
  };

  return (
    <section className="new-conversation" aria-labelledby="new-title">
      <h1 id="new-title">New conversation</h1>
      <ChannelSelect label="Channel" channels={usable} value={channel.id} onChange={setChannelId} />

      {recipient ? (
        <div className="recipient">
          <span>
            To{' '}
            <strong>
              {'contact' in recipient
                ? `${recipient.contact.name ?? 'Unnamed contact'} ${recipient.contact.identities.map((i) => (i.username ? `@${i.username}` : i.address)).join(' · ')}`
                : recipient.address}
            </strong>
          </span>
          {'address' in recipient && (
            <label>
              Name (optional)
              <input value={recipient.name} onChange={(e) => setRecipient({ address: recipient.address, name: e.target.value })} />
            </label>
          )}
          <button type="button" className="link" onClick={() => setRecipient(null)}>
            Change
          </button>
        </div>
      ) : (
        <>
          <ContactPicker label="To" autoFocus onPick={(contact) => setRecipient({ contact })} onText={setTyped} />
          {typed.trim().length >= 3 && (
            <button type="button" className="new-address" onClick={() => setRecipient({ address: typed.trim(), name: '' })}>
              Write to a new contact at “{typed.trim()}”
            </button>
          )}
          <p className="muted">{ADDRESS_HINT[channel.kind]}</p>
        </>
      )}
      {recipient && (
        <Composer
          key={`${channel.id}:${contactId ?? 'new'}`}
          mode="new"
          channelId={channel.id}
          channelKind={channel.kind}
          window={preflight.data ?? null}
          windowError={preflight.error}
          refreshWindow={refreshWindow}
          onSend={send}
          sendLabel="Send and open the ticket"
        />
      )}
    </section>
  );
}
