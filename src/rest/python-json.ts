/**
 * Python's json.loads, as Placement parses request bodies (oslo jsonutils → json): the same
 * accepted documents (NaN, Infinity, -Infinity included) and the same error messages with
 * Python's positions ("Expecting value: line 1 column 9 (char 8)"), since Placement quotes them
 * in its 400 "Malformed JSON: …". Hand-written: no npm parser reports Python's messages.
 */

export class PythonJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonJsonError';
  }
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?/y;
// Up to a quote, a backslash or a control character (U+0000–U+001F).
const STRING_CHUNK = new RegExp(`[^"\\\\${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}]*`, 'y');
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Scanner {
  constructor(readonly text: string) {}

  fail(message: string, pos: number): never {
    const before = this.text.slice(0, pos);
    const line = before.split('\n').length;
    const codePointPos = [...before].length;
    const lineStart = before.lastIndexOf('\n');
    const column = [...before.slice(lineStart + 1)].length + 1;
    throw new PythonJsonError(`${message}: line ${line} column ${column} (char ${codePointPos})`);
  }

  skip(pos: number): number {
    WHITESPACE.lastIndex = pos;
    WHITESPACE.exec(this.text);
    return WHITESPACE.lastIndex;
  }

  /** scan_once: a value starting at pos; null when none starts there ("Expecting value" for the caller). */
  value(pos: number): [unknown, number] | null {
    const text = this.text;
    const ch = text[pos];
    if (ch === undefined) return null;
    if (ch === '"') return this.string(pos + 1);
    if (ch === '{') return this.object(pos + 1);
    if (ch === '[') return this.array(pos + 1);
    if (ch === 'n' && text.startsWith('null', pos)) return [null, pos + 4];
    if (ch === 't' && text.startsWith('true', pos)) return [true, pos + 4];
    if (ch === 'f' && text.startsWith('false', pos)) return [false, pos + 5];
    if (ch === 'N' && text.startsWith('NaN', pos)) return [Number.NaN, pos + 3];
    if (ch === 'I' && text.startsWith('Infinity', pos)) return [Number.POSITIVE_INFINITY, pos + 8];
    if (ch === '-' && text.startsWith('-Infinity', pos)) return [Number.NEGATIVE_INFINITY, pos + 9];
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) return null;
    return [Number(match[0]), pos + match[0].length];
  }

  required(pos: number): [unknown, number] {
    return this.value(pos) ?? this.fail('Expecting value', pos);
  }

  string(start: number): [string, number] {
    const text = this.text;
    const begin = start - 1;
    let out = '';
    let pos = start;
    for (;;) {
      STRING_CHUNK.lastIndex = pos;
      STRING_CHUNK.exec(text);
      out += text.slice(pos, STRING_CHUNK.lastIndex);
      pos = STRING_CHUNK.lastIndex;
      const terminator = text[pos];
      if (terminator === undefined) this.fail('Unterminated string starting at', begin);
      if (terminator === '"') return [out, pos + 1];
      if (terminator !== '\\') this.fail('Invalid control character at', pos);
      const escaped = text[pos + 1];
      if (escaped === undefined) this.fail('Unterminated string starting at', begin);
      if (escaped !== 'u') {
        const decoded = ESCAPES[escaped];
        if (decoded === undefined) this.fail('Invalid \\escape', pos);
        out += decoded;
        pos += 2;
        continue;
      }
      const hex = text.slice(pos + 2, pos + 6);
      if (pos + 6 >= text.length || !/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape', pos + 1);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      pos += 6;
    }
  }

  object(start: number): [Record<string, unknown>, number] {
    const text = this.text;
    const result: Record<string, unknown> = {};
    let pos = this.skip(start);
    if (text[pos] === '}') return [result, pos + 1];
    if (text[pos] !== '"') this.fail('Expecting property name enclosed in double quotes', pos);
    pos += 1;
    for (;;) {
      const [key, afterKey] = this.string(pos);
      pos = this.skip(afterKey);
      if (text[pos] !== ':') this.fail("Expecting ':' delimiter", pos);
      const [value, afterValue] = this.required(this.skip(pos + 1));
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      pos = this.skip(afterValue);
      const next = text[pos];
      pos += 1;
      if (next === '}') return [result, pos];
      if (next !== ',') this.fail("Expecting ',' delimiter", pos - 1);
      pos = this.skip(pos);
      if (text[pos] !== '"') this.fail('Expecting property name enclosed in double quotes', pos);
      pos += 1;
    }
  }

  array(start: number): [unknown[], number] {
    const text = this.text;
    const result: unknown[] = [];
    let pos = this.skip(start);
    if (text[pos] === ']') return [result, pos + 1];
    for (;;) {
      const [value, afterValue] = this.required(pos);
      result.push(value);
      pos = this.skip(afterValue);
      const next = text[pos];
      pos += 1;
      if (next === ']') return [result, pos];
      if (next !== ',') this.fail("Expecting ',' delimiter", pos - 1);
      pos = this.skip(pos);
    }
  }
}

/** json.loads(text): the value, or PythonJsonError with Python's message. */
export function parsePythonJson(text: string): unknown {
  const scanner = new Scanner(text);
  const [value, end] = scanner.required(scanner.skip(0));
  const rest = scanner.skip(end);
  if (rest !== text.length) scanner.fail('Extra data', rest);
  return value;
}
