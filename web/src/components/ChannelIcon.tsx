// A channel's small badge: the kind at a glance, with its name for screen readers.
import type { ChannelKind } from '../lib/types.js';

const LABEL: Record<ChannelKind, string> = { whatsapp: 'WhatsApp', instagram: 'Instagram', email: 'Email' };
const GLYPH: Record<ChannelKind, string> = { whatsapp: 'WA', instagram: 'IG', email: '@' };

export function channelKindLabel(kind: ChannelKind): string {
  return LABEL[kind];
}

export function ChannelIcon({ kind, name }: { kind: ChannelKind | undefined; name?: string }) {
  if (!kind) return <span className="channel-icon" aria-label="Channel">?</span>;
  const label = name ? `${LABEL[kind]}: ${name}` : LABEL[kind];
  return (
    <span className={`channel-icon channel-${kind}`} role="img" aria-label={label} title={label}>
      {GLYPH[kind]}
    </span>
  );
}
