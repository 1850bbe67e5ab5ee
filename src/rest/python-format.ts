/**
 * Python's repr() and pprint.pformat() for JSON-like values: Placement's validation messages
 * come from python-jsonschema, which prints the failing schema and instance with pformat
 * (width 72, keys sorted), and clients may match on the text. Hand-written: no npm library
 * reproduces CPython's pretty-printer.
 */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** repr() of a str: single quotes unless the text holds a single quote and no double quote. */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
      out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

const isDict = (v: PyValue): v is { [key: string]: PyValue } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const sortedKeys = (d: { [key: string]: PyValue }) => Object.keys(d).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function pyRepr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${sortedKeys(v)
    .map((k) => `${pyStr(k)}: ${pyRepr(v[k]!)}`)
    .join(', ')}}`;
}

function pyFloat(v: number): string {
  const s = String(v);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** pprint.pformat(value, width=width) with CPython's defaults (indent 1, sorted dicts, not compact). */
export function pformat(value: PyValue, width = 72): string {
  const out: string[] = [];
  format(value, 0, 0, width, out);
  return out.join('');
}

function format(value: PyValue, indent: number, allowance: number, width: number, out: string[]): void {
  const rep = pyRepr(value);
  if (rep.length <= width - indent - allowance) {
    out.push(rep);
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    formatItems(value, indent, allowance + 1, width, out);
    out.push(']');
  } else if (isDict(value)) {
    out.push('{');
    const keys = sortedKeys(value);
    const inner = indent + 1;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const keyRep = pyStr(key);
      out.push(keyRep, ': ');
      format(value[key]!, inner + keyRep.length + 2, last ? allowance + 1 : 1, width, out);
      if (!last) out.push(`,\n${' '.repeat(inner)}`);
    });
    out.push('}');
  } else {
    out.push(rep);
  }
}

function formatItems(items: PyValue[], indent: number, allowance: number, width: number, out: string[]): void {
  const inner = indent + 1;
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    if (i > 0) out.push(`,\n${' '.repeat(inner)}`);
    format(item, inner, last ? allowance : 1, width, out);
  });
}

/** Python's `str(list)` of strings, as Placement interpolates lists into messages. */
export function pyList(items: readonly string[]): string {
  return `[${items.map(pyStr).join(', ')}]`;
}
