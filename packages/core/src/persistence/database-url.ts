/**
 * Database locations: a SQLite file (the embedded default) or a PostgreSQL URL.
 */
import path from 'node:path';
import { ServiceDeckError } from '../errors.js';

/** The default SQLite file, relative to the working directory. */
export const DEFAULT_SQLITE_FILE = 'servicedeck.db';

/** A parsed database location. */
export type DatabaseLocation =
  | { readonly dialect: 'sqlite'; readonly storage: string }
  | { readonly dialect: 'postgres'; readonly url: string };

/**
 * Parses a database URL: `postgres://…` / `postgresql://…`, `sqlite:<path>` / `sqlite://<path>`, or a
 * bare file path (SQLite). Relative SQLite paths are resolved against `cwd`.
 *
 * @throws ServiceDeckError `SD_ERR_DATABASE_URL_INVALID` for anything else.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseLocation {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    try {
      new URL(trimmed);
    } catch {
      throw invalid(url, 'it is not a valid URL');
    }
    return { dialect: 'postgres', url: trimmed };
  }
  if (/^sqlite:/i.test(trimmed)) {
    const rest = trimmed.replace(/^sqlite:(\/\/)?/i, '');
    if (rest === ':memory:') {
      throw invalid(
        url,
        'an in-memory SQLite database has a single connection, which overlapping transactions cannot share',
      );
    }
    if (rest === '') throw invalid(url, 'it names no file');
    return { dialect: 'sqlite', storage: path.resolve(cwd, rest) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw invalid(url, `the scheme "${trimmed.split(':')[0]}" is not supported`);
  }
  if (trimmed === '') throw invalid(url, 'it is empty');
  return { dialect: 'sqlite', storage: path.resolve(cwd, trimmed) };
}

function invalid(url: string, reason: string): ServiceDeckError {
  return new ServiceDeckError(
    'SD_ERR_DATABASE_URL_INVALID',
    `Database URL "${redactUrl(url)}" is invalid: ${reason}.`,
    {
      hint: 'Use a SQLite file path (sqlite:servicedeck.db) or a PostgreSQL URL (postgres://user@host:5432/db).',
    },
  );
}

/** The URL with any password replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^/?#]*@/i, '$1***@')
    .replace(/([?&](?:password|pass|pwd|sslpassword)=)[^&#]*/gi, '$1***');
}

/** A short description of a location for messages (`SQLite /path/servicedeck.db`, `PostgreSQL host/db`). */
export function describeLocation(location: DatabaseLocation): string {
  if (location.dialect === 'sqlite') return `SQLite ${location.storage}`;
  const parsed = new URL(location.url);
  return `PostgreSQL ${parsed.host}${parsed.pathname}`;
}
