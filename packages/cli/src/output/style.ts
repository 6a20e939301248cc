/**
 * Terminal styling: colour only when the stream is a terminal and `NO_COLOR` is unset (or `FORCE_COLOR`
 * is set), and status symbols that read without colour too.
 */
import type { ServiceStatus } from '@servicedeck/core';

/** Whether to colour output written to `stream`. */
export function useColor(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;

/** A styler: wraps text in ANSI codes, or returns it unchanged when colour is off. */
export type Styler = (style: keyof typeof CODES, text: string) => string;

/** Creates a {@link Styler}. */
export function createStyler(color: boolean): Styler {
  return (style, text) =>
    color ? `\u001b[${CODES[style]}m${text}\u001b[${style === 'bold' ? 22 : 39}m` : text;
}

const STATUS_LOOK: Record<ServiceStatus, { symbol: string; style: keyof typeof CODES }> = {
  active: { symbol: '●', style: 'green' },
  inactive: { symbol: '○', style: 'gray' },
  error: { symbol: '✖', style: 'red' },
  unknown: { symbol: '?', style: 'yellow' },
};

/** A status with its symbol, coloured: `● active`. */
export function formatStatus(status: ServiceStatus, style: Styler): string {
  const look = STATUS_LOOK[status];
  return style(look.style, `${look.symbol} ${status}`);
}
