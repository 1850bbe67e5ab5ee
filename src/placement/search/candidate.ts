import type { Weigher } from '../request.js';

export interface ServingInventory {
  providerUuid: string;
  resourceClass: string;
  amount: number;
  capacity: number;
  used: number;
}

export interface Candidate {
  rootUuid: string;
  cellUuid: string | null;
  score: number;
  /** One entry per requested class, in request order. */
  serving: ServingInventory[];
}

export interface SearchOptions {
  limit: number;
  weigher: Weigher;
  /** Only these roots (a caller-supplied candidate list). */
  onlyRoots?: string[];
  /** Leave these roots out (already chosen or tried). */
  excludeRoots?: string[];
  /** Hosts the bound-ordered walk may visit before scoring the rest in one statement. */
  walkBudget?: number;
}

/** Weighed order: score by the weigher, then root uuid. */
export function compareCandidates(weigher: Weigher) {
  return (a: Candidate, b: Candidate): number => {
    if (a.score !== b.score) return weigher === 'PACK' ? a.score - b.score : b.score - a.score;
    return a.rootUuid < b.rootUuid ? -1 : a.rootUuid > b.rootUuid ? 1 : 0;
  };
}
