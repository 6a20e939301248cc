/**
 * Aligned text tables. Widths are measured without ANSI codes, so coloured cells line up.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

/** The display width of a cell (ANSI codes do not count). */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/** Renders rows under headers, columns separated by two spaces, no trailing spaces. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style?: (header: string) => string,
): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const head = line(
    headers.map((header, column) => pad(header, column === headers.length - 1 ? 0 : (widths[column] ?? 0))),
  );
  return [style ? style(head) : head, ...rows.map(line)].join('\n');
}
