/** Output for people (aligned tables, key/value blocks) and for scripts (JSON). */

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | null | undefined;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/**
 * An aligned plain-text table: header row, then one line per row, columns separated by two
 * spaces, no borders (so it greps and pastes cleanly). Widths are counted in UTF-16 units,
 * which is exact for the ASCII names this service deals in.
 */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => text(column.value(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => line[i]!.length)));
  const renderLine = (line: readonly string[]) =>
    line
      .map((cell, i) => (columns[i]!.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [renderLine(columns.map((column) => column.header)), ...cells.map(renderLine)].join('\n');
}

/** `key: value` lines with the keys aligned. */
export function renderFields(fields: ReadonlyArray<readonly [string, string | number | null | undefined]>): string {
  const width = Math.max(...fields.map(([key]) => key.length)) + 1;
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width)} ${text(value)}`).join('\n');
}

/** Control and format characters (ESC, newline, bidi overrides…) and lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

/**
 * A value as printed: non-printable characters are shown escaped (`\u001b`), so a name
 * stored before the server refused them cannot forge lines or colours in a terminal.
 */
export function text(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined || value === '') return '-';
  return String(value).replace(UNPRINTABLE, escapeChar);
}

function escapeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A ratio as a percentage with one decimal, e.g. 0.4375 → 43.8%. */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** Values a person can read: shares with 3 decimals, integers as they are. */
export function decimal(value: number, digits = 3): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
