// Times and durations as people read them.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "5 h 12 min", "12 min", "less than a minute". */
export function hoursAndMinutes(ms: number): string {
  if (ms < MINUTE) return 'less than a minute';
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** "2 more days", "1 more day", or hours and minutes when less than a day is left. */
export function remainingDaysOrHours(ms: number): string {
  if (ms >= DAY) {
    const days = Math.floor(ms / DAY);
    return days === 1 ? '1 more day' : `${days} more days`;
  }
  return `${hoursAndMinutes(ms)} more`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then a date. */
export function ago(at: number, now: number): string {
  const age = now - at;
  if (age < MINUTE) return 'just now';
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) return `${Math.floor(age / HOUR)} h ago`;
  if (age < 7 * DAY) return `${Math.floor(age / DAY)} d ago`;
  return new Date(at).toLocaleDateString();
}

/** A date and time in the agent's locale. */
export function dateTime(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The value of a datetime-local input for a time. */
export function toLocalInput(at: number): string {
  const date = new Date(at - new Date(at).getTimezoneOffset() * MINUTE);
  return date.toISOString().slice(0, 16);
}

/** Whole minutes as "3 days", "12 hours", "45 minutes". */
export function minutesAsWords(minutes: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes % (24 * 60) === 0) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}
