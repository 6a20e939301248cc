/**
 * What the `servicedeck config` commands print: a service's settings (also `config get --json`), its
 * versions (also `config history --json`), and the result of a change. Secrets arrive from core already
 * redacted (`••••••`); nothing here ever sees a secret's value.
 */
import type {
  ConfigApplied,
  ConfigChange,
  ConfigSource,
  ConfigUpdateResult,
  ConfigVersionEntry,
  JsonObject,
  JsonValue,
  ServiceConfigView,
} from '@servicedeck/core';
import { formatChange, formatTime, formatValue } from './format.js';
import type { Styler } from './style.js';
import { renderTable } from './table.js';

/** One setting in `config get --json`. Every key is present. */
export interface ConfigFieldJson {
  readonly key: string;
  /** The effective value (`"••••••"` for a secret that is set); null when unset. */
  readonly value: JsonValue | null;
  /** Where the value comes from: `stored`, `default`, `env` (an environment variable) or `unset`. */
  readonly source: ConfigSource;
  /** Whether it is a secret (encrypted at rest, never shown, never accepted on the command line). */
  readonly secret: boolean;
  /** The environment variable that overrides it. */
  readonly envVar: string;
  /** When that variable overrides a stored value: the stored value (redacted when secret); else null. */
  readonly overridden: JsonValue | null;
}

/** `servicedeck config get <id> --json`. Every key is present. */
export interface ConfigJson {
  readonly serviceId: string;
  /** The stored version (0 when nothing was ever stored). */
  readonly version: number;
  /** Whether the service applies changes while it runs (else at its next start). */
  readonly liveConfig: boolean;
  /** A stored version is newer than the one the service runs with here: it applies at the next start. */
  readonly pendingRestart: boolean;
  /** Every declared setting, and any other stored one, in the schema's order. */
  readonly fields: readonly ConfigFieldJson[];
  /** Why the effective configuration is invalid (the service is "not configured"); empty when valid. */
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

/** One changed setting in JSON: `from` or `to` is null where the setting is not set. */
export interface ConfigChangeJson {
  readonly key: string;
  readonly from: JsonValue | null;
  readonly to: JsonValue | null;
}

/** One version in `servicedeck config history <id> --json` (an array, newest first). */
export interface ConfigVersionJson {
  readonly version: number;
  readonly actor: string;
  readonly adapter: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** The stored settings of this version, secrets redacted. */
  readonly values: JsonObject;
  /** What changed from the version before it. */
  readonly changes: readonly ConfigChangeJson[];
}

/** The view as {@link ConfigJson}. */
export function configJson(view: ServiceConfigView): ConfigJson {
  return {
    serviceId: view.serviceId,
    version: view.version,
    liveConfig: view.liveConfig,
    pendingRestart: view.pendingRestart,
    fields: view.fields.map((field) => ({
      key: field.key,
      value: field.value ?? null,
      source: field.source,
      secret: field.secret,
      envVar: field.envVar,
      overridden: field.overridden ?? null,
    })),
    problems: view.problems.map((problem) => ({ path: problem.path, message: problem.message })),
  };
}

function changeJson(change: ConfigChange): ConfigChangeJson {
  return { key: change.key, from: change.from ?? null, to: change.to ?? null };
}

/** A history entry as {@link ConfigVersionJson}. */
export function versionJson(entry: ConfigVersionEntry): ConfigVersionJson {
  return {
    version: entry.version,
    actor: entry.actor,
    adapter: entry.adapter,
    createdAt: entry.createdAt.toISOString(),
    values: entry.values,
    changes: entry.changes.map(changeJson),
  };
}

function sourceCell(field: ConfigFieldJson): string {
  if (field.source !== 'env') return field.source;
  return `env ${field.envVar}${field.overridden === null ? '' : ` (overrides stored ${formatValue(field.overridden)})`}`;
}

/** `config get`: a title, the table (KEY, VALUE, SOURCE), the problems and whether a restart is pending. */
export function renderConfig(config: ConfigJson, style: Styler): string {
  const version = config.version === 0 ? 'nothing stored yet (version 0)' : `version ${config.version}`;
  const lines = [
    `Settings of ${config.serviceId}: ${version}; ${config.liveConfig ? 'changes apply live' : 'changes apply at its next start'}.`,
    '',
  ];
  if (config.fields.length === 0) lines.push('It declares no settings.');
  else
    lines.push(
      renderTable(
        ['KEY', 'VALUE', 'SOURCE'],
        config.fields.map((field) => [
          field.secret ? `${field.key} (secret)` : field.key,
          field.value === null ? '' : formatValue(field.value),
          field.source === 'unset' ? style('gray', 'unset') : sourceCell(field),
        ]),
        (head) => style('bold', head),
      ),
    );
  if (config.problems.length > 0) {
    lines.push('', style('yellow', 'Not configured (the service does not start until this is fixed):'));
    for (const problem of config.problems) lines.push(`  ${problem.path || '/'}: ${problem.message}`);
  }
  if (config.pendingRestart) {
    lines.push(
      '',
      `Version ${config.version} applies at next start: the running service still uses an older one.`,
    );
  }
  return lines.join('\n');
}

/** `config history`: VERSION, WHEN, BY (`actor via adapter`), CHANGES (`key: from → to; …`). */
export function renderHistory(entries: readonly ConfigVersionJson[], style: Styler): string {
  return renderTable(
    ['VERSION', 'WHEN', 'BY', 'CHANGES'],
    entries.map((entry) => [
      String(entry.version),
      formatTime(new Date(entry.createdAt)),
      `${entry.actor} via ${entry.adapter}`,
      entry.changes.length === 0
        ? '(no change)'
        : entry.changes
            .map((change) =>
              formatChange({
                key: change.key,
                ...(change.from === null ? {} : { from: change.from }),
                ...(change.to === null ? {} : { to: change.to }),
              }),
            )
            .join('; '),
    ]),
    (head) => style('bold', head),
  );
}

const APPLIED: Record<ConfigApplied, string> = {
  live: 'applied live: the running service uses it now',
  'next-start': 'stored; applies at next start (the service cannot change its settings while running)',
  stored: 'stored; used when the service starts (it is not running: disabled or waiting)',
  started: 'stored; the service was waiting for it and has started',
  recorded: 'stored; running servicedeck processes apply it (live, or when the service starts)',
  unchanged: 'unchanged',
};

/**
 * The result of `config set`, `unset` or `rollback`: the new version and how it was applied, then each
 * changed setting (`key: from → to`, secrets as ••••••).
 */
export function renderUpdate(result: ConfigUpdateResult, rolledBackTo?: number): string {
  if (result.applied === 'unchanged') {
    return `No change: the settings of ${result.serviceId} already are ${rolledBackTo === undefined ? 'these' : `those of version ${rolledBackTo}`} (still version ${result.version}).`;
  }
  const what =
    rolledBackTo === undefined
      ? `${result.serviceId}: version ${result.version}`
      : `${result.serviceId}: version ${result.version}, the settings of version ${rolledBackTo}`;
  return [`${what} — ${APPLIED[result.applied]}.`, ...result.changes.map((c) => `  ${formatChange(c)}`)].join(
    '\n',
  );
}
