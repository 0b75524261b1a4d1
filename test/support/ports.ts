import net from 'node:net';

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected server address: ${String(address)}`));
        return;
      }
      const bound = address.port;
      server.close((err) => (err ? reject(err) : resolve(bound)));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (listen on :0, read it, close). */
export function freePort(): Promise<number> {
  return listenOnce(0);
}

/** True when 127.0.0.1:port can be bound right now. */
export async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return false;
    throw err;
  }
}
