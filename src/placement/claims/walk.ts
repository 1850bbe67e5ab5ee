import type { Candidate } from '../candidates.js';

/** One entry of the weighed list: a host that fits now, or one the caller listed that does not. */
export interface WalkEntry {
  uuid: string;
  candidate: Candidate | null;
}

/** A host to attempt: one that fitted when it was searched. */
export interface WalkStep {
  uuid: string;
  candidate: Candidate;
}

/** More of the server's weighed list past what a walk has seen (a search without `exclude`). */
export interface PageSource {
  /** A page holds at most this many hosts; a shorter page was the end of the list. */
  limit: number;
  next(exclude: string[]): Promise<Candidate[]>;
}

/**
 * One consumer's walk over the weighed list. It owns its state: the queue, the hosts tried,
 * the busy hosts already put back once, and its own page cursor (so one consumer reaching
 * the end of the list never ends another's). Build a walk inside the transaction body, so
 * a retried transaction starts a fresh one.
 */
export class HostWalk {
  /** Hosts tried so far, in order (each once, including caller-listed ones that do not fit). */
  readonly tried: string[] = [];
  private readonly queue: WalkEntry[];
  private readonly requeued = new Set<string>();
  private readonly refreshed = new Set<string>();
  private readonly fitting: Candidate[];
  private morePages: boolean;

  /**
   * @param first   the weighed list (or the caller's list) as searched before the claim
   * @param pages   where the next page comes from; null when `first` is the whole list
   * @param exclude hosts this walk must not take (other consumers' hosts in the same call)
   */
  constructor(
    first: readonly WalkEntry[],
    private readonly pages: PageSource | null,
    private readonly exclude: ReadonlySet<string> = new Set(),
  ) {
    this.queue = first.filter((e) => !exclude.has(e.uuid));
    this.fitting = first.flatMap((e) => (e.candidate && !exclude.has(e.uuid) ? [e.candidate] : []));
    this.morePages = pages !== null && first.length >= pages.limit;
  }

  /** The next host to attempt, fetching the next page when this walk's queue runs dry; null at the end. */
  async next(): Promise<WalkStep | null> {
    for (;;) {
      if (this.queue.length === 0 && !(await this.fetchPage())) return null;
      const entry = this.queue.shift() as WalkEntry;
      if (!this.requeued.has(entry.uuid) && !this.refreshed.has(entry.uuid)) this.tried.push(entry.uuid);
      if (entry.candidate) return { uuid: entry.uuid, candidate: entry.candidate };
    }
  }

  /** Whether this host was already put back once (this is its second visit). */
  isSecondVisit(step: WalkStep): boolean {
    return this.requeued.has(step.uuid);
  }

  /** A busy host goes to the back of the queue, once; false when it already had its second visit. */
  requeue(step: WalkStep): boolean {
    if (this.requeued.has(step.uuid)) return false;
    this.requeued.add(step.uuid);
    this.queue.push(step);
    return true;
  }

  /**
   * A host that could not take the claim as it was searched may still fit another way (its
   * chosen providers filled up, others in its tree did not): it is attempted next with
   * `fresh`, once; false when it already had its fresh look.
   */
  retryFresh(step: WalkStep): boolean {
    if (this.refreshed.has(step.uuid)) return false;
    this.refreshed.add(step.uuid);
    this.queue.unshift(step);
    return true;
  }

  /** Every fitting host this walk has seen, in weighed order (alternates come from here). */
  seen(): readonly Candidate[] {
    return this.fitting;
  }

  private async fetchPage(): Promise<boolean> {
    if (!this.pages || !this.morePages) return false;
    const more = await this.pages.next([...this.exclude, ...this.tried]);
    this.morePages = more.length >= this.pages.limit;
    this.fitting.push(...more);
    this.queue.push(...more.map((c) => ({ uuid: c.rootUuid, candidate: c })));
    return more.length > 0;
  }
}
