import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const README = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The text of one `## heading` section, up to the next `## ` heading. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`README has no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + heading.length + 4);
  return markdown.slice(start, end === -1 ? undefined : end);
}

export interface FencedBlock {
  lang: string;
  body: string;
  /** The prose between the previous block (or the section start) and this one. */
  before: string;
}

/** The fenced code blocks of a markdown text, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let last = 0;
  for (const match of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    blocks.push({ lang: match[1]!, body: match[2]!, before: markdown.slice(last, match.index) });
    last = match.index! + match[0].length;
  }
  return blocks;
}

/** A markdown table as rows of cell texts (header and separator rows dropped). */
export function tableRows(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|') && line.includes(header));
  if (start === -1) throw new Error(`no table with a "${header}" column`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}
