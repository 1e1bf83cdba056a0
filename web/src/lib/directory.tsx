// Names the app shows everywhere: the workspace's channels and its active people (teammates), both
// readable by every signed-in user; someone deactivated since shows as "a teammate".
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get } from './api.js';
import { useUser } from './session.js';
import type { Channel, Teammate } from './types.js';

interface Directory {
  channels: Channel[];
  /** The active people of the workspace, the signed-in user included: who a ticket can go to. */
  teammates: Teammate[];
  channel(id: string): Channel | undefined;
  /** A person's name as shown in the inbox; "You" for the signed-in agent. */
  userName(id: string | null): string;
  reload(): Promise<void>;
}

const DirectoryContext = createContext<Directory | null>(null);

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const me = useUser();
  const [channels, setChannels] = useState<Channel[]>([]);
  const [teammates, setTeammates] = useState<Teammate[]>([]);

  const load = useCallback(
    () =>
      Promise.all([
        get<{ channels: Channel[] }>('/api/channels').then((r) => r.channels).catch(() => [] as Channel[]),
        get<{ teammates: Teammate[] }>('/api/teammates').then((r) => r.teammates).catch(() => [] as Teammate[]),
      ]),
    [],
  );
  const reload = useCallback(
    () =>
      load().then(([channelList, people]) => {
        setChannels(channelList);
        setTeammates(people);
      }),
    [load],
  );

  useEffect(() => {
    let cancelled = false;
    load().then(([channelList, people]) => {
      if (cancelled) return;
      setChannels(channelList);
      setTeammates(people);
    });
    return () => {
      cancelled = true;
    };
  }, [load]);

  const value = useMemo<Directory>(
    () => ({
      channels,
      teammates,
      channel: (id) => channels.find((c) => c.id === id),
      userName: (id) => {
        if (id === null) return 'Nobody';
        if (id === me.userId) return 'You';
        return teammates.find((u) => u.id === id)?.name ?? 'A teammate';
      },
      reload,
    }),
    [channels, teammates, me.userId, reload],
  );
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): Directory {
  const directory = useContext(DirectoryContext);
  if (!directory) throw new Error('useDirectory outside DirectoryProvider');
  return directory;
}
