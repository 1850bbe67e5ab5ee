import { pyFloat, pyRepr } from './python.js';

/**
 * Python's repr() and pprint.pformat(width=72) of JSON values, as jsonschema prints the schema
 * and the instance in its validation messages (which Placement returns in 400 details).
 * Follows CPython's pprint: dict keys sorted, items wrapped one per line when a repr is wider
 * than the room left, long strings split at whitespace into implicitly joined pieces.
 */

export function reprNumber(value: number): string {
  // repr() of float('nan') and float('inf'), where json.dumps writes NaN and Infinity.
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pyFloat(value);
}

const sortedKeys = (value: Record<string, unknown>) => Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const insertionKeys = (value: Record<string, unknown>) => Object.keys(value);

function repr(value: unknown, keysOf: (value: Record<string, unknown>) => string[]): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'string') return pyRepr(value);
  if (Array.isArray(value)) return `[${value.map((item) => repr(item, keysOf)).join(', ')}]`;
  const object = value as Record<string, unknown>;
  return `{${keysOf(object)
    .map((key) => `${pyRepr(key)}: ${repr(object[key], keysOf)}`)
    .join(', ')}}`;
}

/** repr(value), with dict keys sorted as pprint's safe_repr does. */
export function pyValueRepr(value: unknown): string {
  return repr(value, sortedKeys);
}

/**
 * Plain repr(value): dict keys in the order the request's JSON gave them, as jsonschema's
 * messages print the instance (`{...} is not of type 'array'`), unlike pprint which sorts them.
 * (JavaScript lists integer-like keys first whatever their order in the text; Python would not.)
 */
export function pyPlainRepr(value: unknown): string {
  return repr(value, insertionKeys);
}

const WIDTH = 72;

class Printer {
  out = '';

  format(value: unknown, indent: number, allowance: number, level: number): void {
    const rep = pyValueRepr(value);
    if (rep.length > WIDTH - indent - allowance) {
      if (Array.isArray(value) && value.length > 0) {
        this.list(value, indent, allowance, level + 1);
        return;
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        this.dict(value as Record<string, unknown>, indent, allowance, level + 1);
        return;
      }
      if (typeof value === 'string') {
        this.string(value, indent, allowance, level + 1);
        return;
      }
    }
    this.out += rep;
  }

  dict(value: Record<string, unknown>, indent: number, allowance: number, level: number): void {
    this.out += '{';
    const keys = sortedKeys(value);
    const inner = indent + 1;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const rep = pyRepr(key);
      this.out += `${rep}: `;
      this.format(value[key], inner + rep.length + 2, last ? allowance + 1 : 1, level);
      if (!last) this.out += `,\n${' '.repeat(inner)}`;
    });
    this.out += '}';
  }

  list(value: unknown[], indent: number, allowance: number, level: number): void {
    this.out += '[';
    const inner = indent + 1;
    value.forEach((item, i) => {
      const last = i === value.length - 1;
      if (i > 0) this.out += `,\n${' '.repeat(inner)}`;
      this.format(item, inner, last ? allowance + 1 : 1, level);
    });
    this.out += ']';
  }

  string(value: string, indent: number, allowance: number, level: number): void {
    const lines = value.match(/[^\n\r]*(?:\r\n|\n|\r|$)/g)!.filter((line) => line !== '');
    let room = indent;
    let extra = allowance;
    if (level === 1) {
      room += 1;
      extra += 1;
    }
    const maxWidth = WIDTH - room;
    const chunks: string[] = [];
    lines.forEach((line, i) => {
      const lastLine = i === lines.length - 1;
      const rep = pyRepr(line);
      if (rep.length <= maxWidth - (lastLine ? extra : 0)) {
        chunks.push(rep);
        return;
      }
      const parts = line.match(/\S*\s*/g)!.filter((part) => part !== '');
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        const limit = maxWidth - (j === parts.length - 1 && lastLine ? extra : 0);
        if (pyRepr(candidate).length > limit) {
          if (current) chunks.push(pyRepr(current));
          current = part;
        } else {
          current = candidate;
        }
      });
      if (current) chunks.push(pyRepr(current));
    });
    if (chunks.length <= 1) {
      this.out += pyRepr(value);
      return;
    }
    if (level === 1) this.out += '(';
    this.out += chunks.join(`\n${' '.repeat(room)}`);
    if (level === 1) this.out += ')';
  }
}

/** pprint.pformat(value, width=72). */
export function pformat(value: unknown): string {
  const printer = new Printer();
  printer.format(value, 0, 0, 0);
  return printer.out;
}
