import type { Server } from 'node:http';

/** The HTTP server could not listen; the message names the setting to change. */
export class ListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

function explain(error: NodeJS.ErrnoException, host: string, port: number): ListenError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ListenError(`PORT ${port} is in use on ${host} (another gateway? stop it or set PORT)`, error.code);
    case 'EACCES':
      return new ListenError(
        `PORT ${port} on ${host} needs privileges this process lacks (set PORT above 1023)`,
        error.code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EADDRNOTAVAIL':
      return new ListenError(
        `HOST ${host} is not an address of this machine (set HOST, e.g. 127.0.0.1 or 0.0.0.0)`,
        error.code,
      );
    default:
      return new ListenError(`cannot listen on ${host}:${port}: ${error.message}`, error.code);
  }
}

/** `server.listen` as a promise that rejects with a ListenError instead of an unhandled 'error' event. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(explain(error, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
