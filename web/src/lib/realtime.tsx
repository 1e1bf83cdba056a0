// The workspace's live events (GET /api/events, server-sent): one EventSource for the whole app, which
// the browser reconnects with Last-Event-ID by itself; components subscribe to the types they need.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { get } from './api.js';

export type RealtimeType = 'ticket.created' | 'ticket.updated' | 'message.created' | 'message.status';
export interface RealtimeEvent {
  type: RealtimeType;
  ticketId: string;
  messageId?: string;
  status?: string;
}
type Handler = (event: RealtimeEvent) => void;

interface Realtime {
  subscribe(handler: Handler): () => void;
  connected: boolean;
}

const RealtimeContext = createContext<Realtime | null>(null);
const TYPES: RealtimeType[] = ['ticket.created', 'ticket.updated', 'message.created', 'message.status'];
const RETRY_MS = 5_000;

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const handlers = useRef(new Set<Handler>());
  const [connected, setConnected] = useState(false);
  const [realtime] = useState<Omit<Realtime, 'connected'>>(() => ({
    subscribe(handler) {
      handlers.current.add(handler);
      return () => handlers.current.delete(handler);
    },
  }));

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource('/api/events');
      source.onopen = () => setConnected(true);
      for (const type of TYPES) {
        source.addEventListener(type, (message) => {
          const payload = JSON.parse((message as MessageEvent<string>).data) as Omit<RealtimeEvent, 'type'>;
          for (const handler of handlers.current) handler({ ...payload, type });
        });
      }
      source.onerror = () => {
        setConnected(false);
        // The browser retries a dropped stream itself; a refused one (signed out) it closes for good,
        // so ask who we are (a 401 there ends the session) and try again later.
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          get('/api/auth/me').then(
            () => {
              retry = setTimeout(open, RETRY_MS);
            },
            () => undefined,
          );
        }
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);

  return <RealtimeContext.Provider value={{ ...realtime, connected }}>{children}</RealtimeContext.Provider>;
}

/** Calls the handler for every live event while the component is mounted. */
export function useRealtime(handler: Handler): void {
  const context = useContext(RealtimeContext);
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => context?.subscribe((event) => latest.current(event)), [context]);
}

/** Whether the live stream is connected. */
export function useRealtimeConnected(): boolean {
  return useContext(RealtimeContext)?.connected ?? false;
}
