/**
 * Health messages in words an operator reads at a glance: what an HTTP status means for a service, and
 * times as a clock reading.
 */
import { STATUS_CODES } from 'node:http';

/**
 * What an unexpected HTTP status means, for a health message: `401` → "authentication failed (401
 * Unauthorized)", `403` → "permission denied (403 Forbidden)", `429` → "rate limited (429 Too Many
 * Requests)", `5xx` → "server error (503 Service Unavailable)", anything else → "unexpected 404 Not Found".
 *
 * @param status - the status code.
 * @param statusText - the reason phrase received, when there was one.
 */
export function describeHttpStatus(status: number, statusText?: string): string {
  const phrase = `${status} ${statusText || STATUS_CODES[status] || ''}`.trim();
  if (status === 401) return `authentication failed (${phrase})`;
  if (status === 403) return `permission denied (${phrase})`;
  if (status === 407) return `proxy authentication failed (${phrase})`;
  if (status === 429) return `rate limited (${phrase})`;
  if (status >= 500) return `server error (${phrase})`;
  return `unexpected ${phrase}`;
}

/**
 * A time as the 24-hour clock reading `HH:MM` in the process's time zone, with the date in front when it
 * is not today (`2026-11-24 09:05`).
 *
 * @param at - the time to show.
 * @param now - today's reference (default: now).
 */
export function formatClock(at: Date, now: Date = new Date()): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  const clock = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const sameDay =
    at.getFullYear() === now.getFullYear() &&
    at.getMonth() === now.getMonth() &&
    at.getDate() === now.getDate();
  return sameDay ? clock : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${clock}`;
}

/** A host and port as `host:port`, IPv6 addresses in brackets. */
export function hostPort(host: string, port: number | string): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
