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
