// The banner above the composer, counting down with the clock; asks for a fresh pre-flight when the
// window it shows has run out.
import { useEffect } from 'react';
import type { ReplyWindow } from '../../lib/types.js';
import { useNow } from '../../lib/use-now.js';
import { bannerFor, type Banner } from '../../lib/window-banner.js';

export function useBanner(window: ReplyWindow | null, onExpired: () => void): Banner | null {
  const now = useNow(15_000);
  const closesAt = window?.windowClosesAt ?? null;
  const expired = closesAt !== null && now >= closesAt;
  useEffect(() => {
    if (expired) onExpired();
  }, [expired, onExpired]);
  return window ? bannerFor(window, now) : null;
}

export function WindowBanner({ banner }: { banner: Banner }) {
  return (
    <p className={`window-banner tone-${banner.tone}`} role="status" aria-live="polite" data-testid="window-banner">
      {banner.text}
    </p>
  );
}
