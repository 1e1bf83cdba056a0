// Choosing one of the workspace's channels, each named with its kind ("Support line (WhatsApp)").
import type { Channel } from '../lib/types.js';
import { channelKindLabel } from './ChannelIcon.js';

export function ChannelSelect({ label, channels, value, onChange }: { label: string; channels: Channel[]; value: string; onChange(channelId: string): void }) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {channels.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({channelKindLabel(c.kind)})
          </option>
        ))}
      </select>
    </label>
  );
}
