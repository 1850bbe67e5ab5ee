import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PyFloat, pyJson } from '../src/rest/python.js';

/**
 * pyJson writes a body byte for byte as Placement does (oslo_serialization's jsonutils.dumps,
 * i.e. json.dumps with ", " and ": " separators and ASCII escapes): each value below is
 * serialised by the real jsonutils and by pyJson, and the texts must be equal.
 */

// Debian's interpreter: the one python3-placement (and so oslo.serialization) is installed for.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** jsonutils.dumps of each value (sent as JSON: Python's dicts keep the key order). */
function pythonDumps(values: unknown[]): string[] {
  const script =
    'import json, sys\nfrom oslo_serialization import jsonutils\n' +
    'print(json.dumps([jsonutils.dumps(v) for v in json.loads(sys.stdin.read())]))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(values), encoding: 'utf8' }));
}

const uuid = '359db0a4-8f92-477d-a6f0-905d2cea5e9c';
const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -17,
  2147483647,
  9007199254740991,
  1.5,
  '',
  'plain ascii',
  // every printable ASCII character: only " and \ are escaped
  Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)).join(''),
  'quote " backslash \\ slash /',
  'controls \u0000 \u0001 \b \f \n \r \t \u001f',
  'DEL \u007f, é, ü, 中文, € and an emoji 😀',
  'lone surrogates \ud800 and \udfff',
  [],
  {},
  [[], {}, [1, [2, [3]]]],
  { '10': 'integer-like keys first', '2': 'then', b: 1, a: 2, ключ: 'non-ASCII key' },
  {
    allocation_requests: [
      { allocations: { [uuid]: { resources: { VCPU: 2, MEMORY_MB: 4096 } } }, mappings: { '': [uuid] } },
    ],
    provider_summaries: {
      [uuid]: {
        resources: { VCPU: { capacity: 64, used: 3 } },
        traits: ['CUSTOM_A', 'HW_CPU_X86_AVX2'],
        parent_provider_uuid: null,
        root_provider_uuid: uuid,
      },
    },
  },
];

describe('pyJson against oslo jsonutils.dumps', () => {
  it('writes every value as Placement does', () => {
    const expected = pythonDumps(VALUES);
    expect(VALUES.map((v) => pyJson(v))).toEqual(expected);
  });

  it('leaves out undefined members, writes undefined items as null, PyFloat as a Python float', () => {
    const [expected] = pythonDumps([{ a: 1, c: [null, 2] }]);
    expect(pyJson({ a: 1, b: undefined, c: [undefined, 2] })).toBe(expected);
    expect(pyJson({ allocation_ratio: new PyFloat(16) })).toBe('{"allocation_ratio": 16.0}');
  });
});
