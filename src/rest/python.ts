/**
 * Python's spellings of values, which Placement's messages and bodies carry: `repr()` of a
 * string (in "invalid literal for int()" and jsonschema messages) and `json.dumps()` output
 * (", " and ": " separators, non-ASCII escaped, floats with a fractional part).
 */

/** A number Placement serialises as a Python float (`1.0`, not `1`), e.g. allocation_ratio. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's repr() of a str: single quotes unless the text holds ' and no ", escapes as CPython does. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's repr() of a float. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const text = String(value);
  // JS writes 1e21 and 1e-7; Python writes 1e+21 and 1e-07.
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * json.dumps(value) as Python writes it (Placement's bodies go through oslo's jsonutils.dumps).
 * Appends to one string rather than mapping and joining arrays at every level: candidate
 * bodies are tens of kilobytes and this runs on every response.
 */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'number':
    case 'boolean':
      return String(value);
  }
  if (value instanceof PyFloat) return pyFloat(value.value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ', ') + pyJson(value[i]);
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value as object)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    out += `${first ? '' : ', '}${pyString(key)}: ${pyJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_ALL = /[\u007f-\uffff]/g;

/** Printable ASCII but `"` and `\`: written as it is, between quotes. */
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/**
 * A string as ensure_ascii json.dumps writes it. Most (uuids, class and trait names) need no
 * escape: quoted as they are, without JSON.stringify and a second scan.
 */
function pyString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  const json = JSON.stringify(text);
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, asciiEscape) : json;
}

function asciiEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
