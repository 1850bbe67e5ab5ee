import type pg from 'pg';
import type { Weigher } from '../request.js';

export interface ServingInventory {
  providerUuid: string;
  resourceClass: string;
  amount: number;
  capacity: number;
  used: number;
  /** The request group this row serves: '' for the unnumbered group (the top-level resources). */
  group: string;
}

/** Which providers serve a group (Placement's `mappings`): '' is the unnumbered group. */
export interface GroupMapping {
  group: string;
  providerUuids: string[];
}

export interface Candidate {
  rootUuid: string;
  cellUuid: string | null;
  score: number;
  /** One row per (group, class): the unnumbered classes in request order, then each group's. */
  serving: ServingInventory[];
  /** '' first when the unnumbered group has resources, then every numbered group in request order. */
  mappings: GroupMapping[];
  /** The host's own record, from the flat walk when SearchOptions.withOwnRecord asks for it. */
  own?: OwnRecord;
}

/**
 * One inventory of a host as REST's enumeration reads it: class name, class id, capacity
 * (floor((total − reserved) × ratio)), used, min_unit, max_unit, step_size (an array: it
 * parses faster than an object).
 */
export type OwnInventory = [
  name: string,
  classId: number,
  capacity: number,
  used: number,
  minUnit: number,
  maxUnit: number,
  stepSize: number,
];

/** A host's id, trait names (in name order), aggregate uuids and every inventory (in class id order). */
export interface OwnRecord {
  id: number;
  traits: string[];
  aggregates: string[];
  inventories: OwnInventory[];
}

/** The unnumbered group's mapping: its distinct serving providers, in the order of its classes. */
export function unnumberedMappings(serving: readonly ServingInventory[]): GroupMapping[] {
  const providers = [...new Set(serving.filter((s) => s.group === '').map((s) => s.providerUuid))];
  return providers.length > 0 ? [{ group: '', providerUuids: providers }] : [];
}

export interface SearchOptions {
  limit: number;
  weigher: Weigher;
  /** Only these roots (a caller-supplied candidate list). */
  onlyRoots?: string[];
  /** Only the roots of these ids (a long list is shipped cheaper as ids than as uuids). */
  onlyRootIds?: number[];
  /** Leave these roots out (already chosen or tried). */
  excludeRoots?: string[];
  /** Hosts the bound-ordered walk may visit before scoring the rest in one statement. */
  walkBudget?: number;
  /** Only hosts that stand alone: no descendants, no sharing partner (the grouped search's flat part; its value is the sharing trait's id). */
  aloneWithSharingTrait?: number;
  /**
   * A pool the search may borrow an idle connection from (side-connection.ts), to run the
   * tree statement beside the flat walk. Reads outside a transaction only: the two
   * statements see different snapshots.
   */
  sidePool?: pg.Pool;
  /**
   * The flat walk returns each fitting host's own record (Candidate.own): in a world without
   * trees or sharing providers that is all REST's enumeration reads, so it needs no second
   * round trip. Off, the walk's statement text is unchanged (prepared statements, plans).
   */
  withOwnRecord?: boolean;
}

/** Weighed order: score by the weigher, then root uuid. */
export function compareCandidates(weigher: Weigher) {
  return (a: Candidate, b: Candidate): number => {
    if (a.score !== b.score) return weigher === 'PACK' ? a.score - b.score : b.score - a.score;
    return a.rootUuid < b.rootUuid ? -1 : a.rootUuid > b.rootUuid ? 1 : 0;
  };
}
