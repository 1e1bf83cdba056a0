// Instagram contacts are Instagram-scoped ids (IGSID): opaque digit strings issued per account.

/** Trims an Instagram-scoped id; null when it is not one. */
export function normalizeInstagramAddress(raw: string): string | null {
  const id = raw.trim();
  return /^\d{1,40}$/.test(id) ? id : null;
}
