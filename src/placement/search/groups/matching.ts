/**
 * Maximum-weight assignment of every row to a distinct column (rows ≤ columns), by the
 * Hungarian method with potentials (O(rows² × columns)). `weight[r][c]` null means row r
 * may not take column c. Answers the column of each row, or null when no assignment
 * gives every row an allowed column.
 *
 * Hand-written: the npm assignment solvers are unmaintained or take only square,
 * unrestricted matrices; this is the textbook algorithm in 40 lines.
 */
export function maxWeightAssignment(weight: readonly (readonly (number | null)[])[], columns: number): number[] | null {
  const rows = weight.length;
  if (rows === 0) return [];
  if (rows > columns) return null;
  // Forbidden pairs cost more than any sum of allowed ones: chosen only when nothing else fits.
  let spread = 1;
  for (const row of weight) for (const w of row) if (w !== null) spread = Math.max(spread, Math.abs(w));
  const forbidden = spread * (rows + 1) * 4;
  const cost = (r: number, c: number) => {
    const w = weight[r]![c];
    return w === null || w === undefined ? forbidden : -w;
  };
  // 1-based as in the textbook: column 0 is the virtual start, owner[c] the row holding column c.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(columns + 1);
  const owner = new Int32Array(columns + 1);
  const way = new Int32Array(columns + 1);
  for (let row = 1; row <= rows; row++) {
    owner[0] = row;
    let column = 0;
    const minimum = new Float64Array(columns + 1).fill(Number.POSITIVE_INFINITY);
    const visited = new Uint8Array(columns + 1);
    do {
      visited[column] = 1;
      const from = owner[column]!;
      let delta = Number.POSITIVE_INFINITY;
      let next = 0;
      for (let c = 1; c <= columns; c++) {
        if (visited[c]) continue;
        const reduced = cost(from - 1, c - 1) - u[from]! - v[c]!;
        if (reduced < minimum[c]!) {
          minimum[c] = reduced;
          way[c] = column;
        }
        if (minimum[c]! < delta) {
          delta = minimum[c]!;
          next = c;
        }
      }
      for (let c = 0; c <= columns; c++) {
        if (visited[c]) {
          u[owner[c]!]! += delta;
          v[c]! -= delta;
        } else minimum[c]! -= delta;
      }
      column = next;
    } while (owner[column] !== 0);
    do {
      const previous = way[column]!;
      owner[column] = owner[previous]!;
      column = previous;
    } while (column !== 0);
  }
  const chosen = new Array<number>(rows).fill(-1);
  for (let c = 1; c <= columns; c++) if (owner[c]! > 0) chosen[owner[c]! - 1] = c - 1;
  return chosen.every((c, r) => c >= 0 && weight[r]![c] !== null && weight[r]![c] !== undefined) ? chosen : null;
}
