// Email identities compare case-insensitively: "Ana@Example.COM " and "ana@example.com" are one person.

/** Lower-cases and trims an address; null when it is not an address. */
export function normalizeEmailAddress(raw: string): string | null {
  const address = raw.trim().toLowerCase();
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address) ? address : null;
}
