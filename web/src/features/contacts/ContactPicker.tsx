// Type-ahead search over contacts by name, phone, email or handle.
import { useEffect, useId, useState } from 'react';
import { get, messageOf, query } from '../../lib/api.js';
import type { ContactSummary } from '../../lib/types.js';

export interface ContactPickerProps {
  label: string;
  onPick(contact: ContactSummary): void;
  /** Called with the text typed, so the caller can offer "write to this new address". */
  onText?(text: string): void;
  exclude?: string;
  autoFocus?: boolean;
}

const DEBOUNCE_MS = 200;

export function ContactPicker({ label, onPick, onText, exclude, autoFocus }: ContactPickerProps) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<ContactSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const listId = useId();

  useEffect(() => {
    const q = text.trim();
    if (!q) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      get<{ contacts: ContactSummary[] }>(`/api/contacts${query({ q, limit: 8 })}`).then(
        (r) => {
          if (cancelled) return;
          setResults(r.contacts.filter((c) => c.id !== exclude));
          setActive(0);
          setError(null);
        },
        (failure) => !cancelled && setError(messageOf(failure)),
      );
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [text, exclude]);

  const shown = text.trim() ? results : [];
  const pick = (contact: ContactSummary | undefined) => {
    if (!contact) return;
    onPick(contact);
    setText('');
  };

  return (
    <div className="contact-picker">
      <label>
        {label}
        <input
          type="search"
          role="combobox"
          aria-expanded={shown.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          autoFocus={autoFocus}
          value={text}
          placeholder="Name, phone, email or @handle"
          onChange={(e) => {
            setText(e.target.value);
            onText?.(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, shown.length - 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
            else if (e.key === 'Enter' && shown.length > 0) {
              e.preventDefault();
              pick(shown[active]);
            } else return;
            e.preventDefault();
          }}
        />
      </label>
      {error && <p className="error-note">{error}</p>}
      {shown.length > 0 && (
        <ul className="picker-results" role="listbox" id={listId} aria-label="Matching contacts">
          {shown.map((contact, index) => (
            <li key={contact.id} role="option" aria-selected={index === active} className={index === active ? 'active' : ''} onMouseDown={(e) => e.preventDefault()} onClick={() => pick(contact)}>
              <strong>{contact.name ?? 'Unnamed contact'}</strong>
              <span className="muted"> {contact.identities.map((i) => (i.username ? `@${i.username}` : i.address)).join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
