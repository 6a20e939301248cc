/**
 * Reads a table as a user sees it: the header line starting with `first` (`ID` unless told), and each
 * row's cells cut where the header's columns start (so empty cells stay empty), up to the first blank line.
 */
export function parseTable(printed: string, first = 'ID'): Record<string, string>[] {
  const lines = printed.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${first} `));
  if (start < 0) throw new Error(`no table in:\n${printed}`);
  const header = lines[start] as string;
  const names = header.split(/ {2,}/);
  let from = 0;
  const starts = names.map((name) => {
    const at = header.indexOf(name, from);
    from = at + name.length;
    return at;
  });
  const end = lines.indexOf('', start);
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .map((line) =>
      Object.fromEntries(
        names.map((name, column) => [name, line.slice(starts[column], starts[column + 1]).trim()]),
      ),
    );
}
