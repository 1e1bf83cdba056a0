// A TCP proxy in front of a real server, for tests of what the product does when the network or the
// database misbehaves: it can cut every open connection (a restart, a failover), refuse new ones (the
// server is down) or stall (a network that swallows packets: connections open, nothing comes back).
import net from 'node:net';

export type ProxyMode = 'forward' | 'refuse' | 'stall';

export interface TcpProxy {
  readonly port: number;
  /** How new connections are treated from now on; 'refuse' and 'stall' also apply to open ones. */
  setMode(mode: ProxyMode): void;
  /** Resets every open connection, as a database restart or failover does. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const pair: { client: net.Socket; upstream: net.Socket | null } = { client, upstream: null };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    // A stalled connection is accepted and then never answered.
    if (mode === 'stall') return;
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  const cutAll = () => {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy();
      upstream?.destroy();
    }
    pairs.clear();
  };

  return {
    port,
    setMode(next) {
      // Connections held through a stall are given up when the network comes back, as TCP would.
      if (mode === 'stall' && next !== 'stall') cutAll();
      mode = next;
      if (next === 'refuse') cutAll();
      if (next === 'stall') {
        // Open connections stop carrying anything either way.
        for (const { client, upstream } of pairs) {
          client.unpipe();
          upstream?.unpipe();
          client.pause();
          upstream?.pause();
        }
      }
    },
    cutAll,
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
