// Names the app shows everywhere: the workspace's channels (every agent may read them) and its people
// (the user list is for admins; agents know themselves and see others as "a teammate").
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { get } from './api.js';
import { useUser } from './session.js';
import type { Channel, User } from './types.js';

interface Directory {
  channels: Channel[];
  users: User[];
  channel(id: string): Channel | undefined;
  /** A person's name as shown in the inbox; "You" for the signed-in agent. */
  userName(id: string | null): string;
  reload(): Promise<void>;
}

const DirectoryContext = createContext<Directory | null>(null);

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const me = useUser();
  const [channels, setChannels] = useState<Channel[]>([]);
  const [users, setUsers] = useState<User[]>([]);

  const load = useCallback(
    () =>
      Promise.all([
        get<{ channels: Channel[] }>('/api/channels').then((r) => r.channels).catch(() => [] as Channel[]),
        me.role === 'admin' ? get<{ users: User[] }>('/api/users').then((r) => r.users).catch(() => [] as User[]) : Promise.resolve([] as User[]),
      ]),
    [me.role],
  );
  const reload = useCallback(
    () =>
      load().then(([channelList, userList]) => {
        setChannels(channelList);
        setUsers(userList);
      }),
    [load],
  );

  useEffect(() => {
    let cancelled = false;
    load().then(([channelList, userList]) => {
      if (cancelled) return;
      setChannels(channelList);
      setUsers(userList);
    });
    return () => {
      cancelled = true;
    };
  }, [load]);

  const value = useMemo<Directory>(
    () => ({
      channels,
      users,
      channel: (id) => channels.find((c) => c.id === id),
      userName: (id) => {
        if (id === null) return 'Nobody';
        if (id === me.userId) return 'You';
        return users.find((u) => u.id === id)?.name ?? 'A teammate';
      },
      reload,
    }),
    [channels, users, me.userId, reload],
  );
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): Directory {
  const directory = useContext(DirectoryContext);
  if (!directory) throw new Error('useDirectory outside DirectoryProvider');
  return directory;
}
