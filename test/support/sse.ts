// A server-sent events client for tests: opens GET /api/events and collects what arrives.
import { expect, vi } from 'vitest';

export interface ServerSentEvent {
  id: number;
  event: string;
  data: any;
}

export interface EventStream {
  /** Settles once the server has subscribed the stream (its `: connected` comment). */
  connected: Promise<void>;
  events: ServerSentEvent[];
  comments: string[];
  /** Waits until at least `count` events arrived and returns them. */
  next(count: number, timeoutMs?: number): Promise<ServerSentEvent[]>;
  close(): Promise<void>;
}

/** Opens the realtime stream of `url` with the given headers (a cookie, a bearer token, Last-Event-ID). */
export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/events`, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const events: ServerSentEvent[] = [];
  const comments: string[] = [];
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const blockComments = lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).trim());
          comments.push(...blockComments);
          if (blockComments.includes('connected')) onConnected();
          const fields = Object.fromEntries(lines.filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.event) events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data ?? 'null') });
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    connected,
    events,
    comments,
    async next(count, timeoutMs = 10_000) {
      await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(count), { timeout: timeoutMs, interval: 20 });
      return events.slice(0, count);
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}
