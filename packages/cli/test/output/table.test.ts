import { describe, expect, it } from 'vitest';
import { createStyler, formatStatus, useColor } from '../../src/output/style.js';
import { renderTable, visibleWidth } from '../../src/output/table.js';

describe('renderTable', () => {
  it('GIVEN coloured cells THEN columns still line up and lines have no trailing spaces', () => {
    const style = createStyler(true);
    const table = renderTable(
      ['ID', 'STATUS', 'DETAIL'],
      [
        ['redis', formatStatus('active', style), ''],
        ['github-app', formatStatus('error', style), 'authentication failed'],
      ],
    );
    const esc = String.fromCharCode(27);
    const lines = table.split('\n').map((line) => line.replaceAll(new RegExp(`${esc}\\[[0-9;]*m`, 'g'), ''));
    expect(lines).toEqual([
      'ID          STATUS    DETAIL',
      'redis       ● active',
      'github-app  ✖ error   authentication failed',
    ]);
    expect(visibleWidth(formatStatus('active', style))).toBe('● active'.length);
  });
});

describe('useColor', () => {
  it('GIVEN NO_COLOR, a pipe, or FORCE_COLOR THEN colour follows the convention', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(createStyler(false)('red', 'x')).toBe('x');
  });
});
