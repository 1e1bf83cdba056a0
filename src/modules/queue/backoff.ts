// The retry rule of message sends and media downloads: the backoff of every failed attempt, up to a last one.
import type { BackoffSchedule } from '../../lib/backoff.js';

export const MAX_DELIVERY_ATTEMPTS = 8;
export const DELIVERY_BACKOFF: BackoffSchedule = { baseMs: 2_000, capMs: 10 * 60_000 };
