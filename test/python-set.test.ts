import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pySetOrder } from '../src/rest/python-set.js';

/** Debian's interpreter, the one Placement runs on (test/support/real-placement.ts). */
const PYTHON = '/usr/bin/python3';

/** Deterministic lists of resource-class-like ids: standard (0…20) and custom (10000…) mixed. */
function samples(): number[][] {
  let state = 99;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const lists: number[][] = [[], [0], [4, 10000], [10004, 4], [4, 10004], [0, 8, 16, 24, 32, 40]];
  for (let k = 0; k < 300; k++) {
    const length = 1 + random(30);
    lists.push(Array.from({ length }, () => (random(3) === 0 ? random(21) : 10000 + random(40))));
  }
  return lists;
}

describe('pySetOrder: CPython set iteration order of ints', () => {
  it('iterates as the real python3 does, for 300 lists with repeats, collisions and resizes', () => {
    const lists = samples();
    const script = 'import json,sys\nfor values in json.load(sys.stdin): print(json.dumps(list(set(values))))';
    const output = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(lists), encoding: 'utf8' });
    const expected = output
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as number[]);
    expect(lists.map((values) => pySetOrder(values))).toEqual(expected);
  });
});
