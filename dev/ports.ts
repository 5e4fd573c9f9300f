// Port checks for the dev stack: refuse to start on a taken port with a message that says which
// component wanted it, find free ports for tests, and wait for a component to start listening.
import { createConnection, createServer } from 'node:net';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly component: string,
    readonly envVar?: string,
  ) {
    super(
      `Port ${port} (${component}) is already in use on 127.0.0.1. Stop whatever is listening there` +
        (envVar ? ` or choose another port with ${envVar}=<port>.` : '.'),
    );
    this.name = 'PortInUseError';
  }
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, component: string, envVar?: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortInUseError(port, component, envVar);
}

/** Asks the OS for `count` distinct free ports (held open together so they differ). */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (!address || typeof address === 'string') throw new Error('unexpected server address');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Resolves true once a TCP connection to host:port succeeds. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
