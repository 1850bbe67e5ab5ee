import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

/** A request ran out of time before it could get a database connection; nothing more ran. */
export class RequestDeadlineExceeded extends Error {
  constructor(readonly deadlineMs: number) {
    super(`the request's deadline of ${deadlineMs} ms passed`);
    this.name = 'RequestDeadlineExceeded';
  }
}

// After the deadline, statements still running on the request's connections are cancelled
// again at this interval until the request lets go of them (a statement sent after the first
// cancel, between two statements of a transaction, is caught by the next one).
const RECANCEL_INTERVAL_MS = 250;

/**
 * The time budget of one request (REQUEST_DEADLINE_MS), shared by every database statement
 * the request runs. Connections the request holds are registered here; when the budget is
 * spent their running statements are cancelled (SQLSTATE 57014: the transaction rolls back
 * and the connection returns to its pool), and no new connection is handed out.
 */
export class RequestDeadline {
  private readonly expiresAt: number;
  private readonly held = new Map<pg.PoolClient, () => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly budgetMs: number) {
    this.expiresAt = Date.now() + budgetMs;
  }

  remainingMs(): number {
    return this.expiresAt - Date.now();
  }

  get expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** `client` is in use by this request until `release`; `cancel` stops its running statement. */
  hold(client: pg.PoolClient, cancel: () => void): () => void {
    this.held.set(client, cancel);
    this.arm();
    return () => {
      this.held.delete(client);
      if (this.held.size === 0) this.disarm();
    };
  }

  /** The request is over: nothing more to cancel. */
  end(): void {
    this.held.clear();
    this.disarm();
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    const fire = () => {
      for (const cancel of this.held.values()) cancel();
      this.timer = this.held.size > 0 ? setTimeout(fire, RECANCEL_INTERVAL_MS) : undefined;
    };
    this.timer = setTimeout(fire, Math.max(0, this.remainingMs()));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const current = new AsyncLocalStorage<RequestDeadline>();

/** Runs `work` (a whole request) under `deadline`: every pool bound by `boundByRequestDeadline` obeys it. */
export function runWithDeadline<T>(deadline: RequestDeadline, work: () => Promise<T>): Promise<T> {
  return current.run(deadline, work);
}

/** Sends PostgreSQL a cancel for the statement running on backend `pid`. */
export type CancelBackend = (pid: number) => void;

/**
 * Makes `pool.connect` (and so `pool.query`, Prisma and every transaction helper) obey the
 * deadline of the request it runs for: no connection is handed out after the deadline, a
 * wait for one ends at the deadline, and a held connection's statements are cancelled when
 * it passes. Outside a request (start-up, the key purge) nothing changes.
 */
export function boundByRequestDeadline(pool: pg.Pool, cancelBackend: CancelBackend): void {
  const connect = pool.connect.bind(pool);
  const withinDeadline = async (deadline: RequestDeadline): Promise<pg.PoolClient> => {
    if (deadline.expired) throw new RequestDeadlineExceeded(deadline.budgetMs);
    const client = await raceDeadline(connect(), deadline);
    const pid = (client as unknown as { processID: number | null }).processID;
    const letGo = deadline.hold(client, () => {
      if (pid !== null) cancelBackend(pid);
    });
    const release = client.release;
    client.release = (error?: Error | boolean) => {
      letGo();
      client.release = release;
      return release(error);
    };
    return client;
  };
  const bounded = (callback?: (error: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) => {
    const deadline = current.getStore();
    const acquired = deadline ? withinDeadline(deadline) : connect();
    if (!callback) return acquired;
    // pool.query passes a callback; answer it from this context (the request's), not the releaser's.
    acquired.then(
      (client) => callback(undefined, client, () => client.release()),
      (error: Error) => callback(error),
    );
    return undefined;
  };
  pool.connect = bounded as typeof pool.connect;
}

/** `acquiring`, or RequestDeadlineExceeded at the deadline (a connection that comes later is released unused). */
function raceDeadline(acquiring: Promise<pg.PoolClient>, deadline: RequestDeadline): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new RequestDeadlineExceeded(deadline.budgetMs));
    }, deadline.remainingMs());
    acquiring.then(
      (client) => {
        clearTimeout(timer);
        if (late) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
