import { once } from 'node:events';
import type { Server } from 'node:net';

export interface ListenAddress {
  /** Empty: all interfaces. */
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `:port` or `[v6]:port` as in `--web.listen-address`. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 0 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

export function formatListenAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Starts `server` listening on `address`; gives the address bound (the real port when `address` asked for port 0). */
export async function listenOn(server: Server, address: ListenAddress): Promise<ListenAddress> {
  server.listen(address.port, address.host === '' ? undefined : address.host);
  await once(server, 'listening');
  const addr = server.address();
  return typeof addr === 'object' && addr ? { host: address.host, port: addr.port } : address;
}
