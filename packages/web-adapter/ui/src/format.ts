/** Formatting of statuses, times, latencies and JSON values for display (no DOM). */
import type { AuditResult, JsonValue, ReloadResult, Status } from './types.js';

export interface StatusLabel {
  readonly symbol: string;
  readonly text: string;
}

const STATUS_LABELS: Record<Status, StatusLabel> = {
  active: { symbol: '✔', text: 'Active' },
  inactive: { symbol: '○', text: 'Inactive' },
  error: { symbol: '✖', text: 'Error' },
  unknown: { symbol: '?', text: 'Unknown' },
};

/**
 * A status as a symbol and a word, so colour is never the only signal. The symbols are plain text glyphs
 * (not emoji), present in common fonts even where no emoji font is installed.
 */
export function statusLabel(status: Status): StatusLabel {
  return STATUS_LABELS[status] ?? STATUS_LABELS.unknown;
}

const RESULT_LABELS: Record<AuditResult, StatusLabel> = {
  ok: { symbol: '✔', text: 'ok' },
  failed: { symbol: '✖', text: 'failed' },
  denied: { symbol: '⊘', text: 'denied' },
};

export function resultLabel(result: AuditResult): StatusLabel {
  return RESULT_LABELS[result] ?? { symbol: '', text: String(result) };
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago"; "never" without a time. */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'never';
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 0) return seconds > -5 ? 'just now' : `in ${relativeTime(new Date(now).toISOString(), then)}`;
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** "12 ms", "1.25 s", "—". */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "99.5 %", "—" when there were no checks. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const percent = ratio * 100;
  return `${percent === 100 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}

/** An absolute time in the user's locale, for titles. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A JSON value as one short line (strings without quotes when plain). */
export function formatValue(value: JsonValue | undefined, max = 120): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const versionText = (version: string | null): string => (version ? `v${version}` : 'no version');

/** What a toast says about a reload: its kind, a headline, and the details (dependents, or why it failed). */
export interface ReloadSummary {
  readonly kind: 'success' | 'error';
  readonly message: string;
  readonly hint: string | null;
}

/** The reload's outcome in words (no DOM), `nameOf` naming services. */
export function reloadSummary(result: ReloadResult, nameOf: (id: string) => string): ReloadSummary {
  const name = nameOf(result.serviceId);
  if (result.result === 'failed') {
    return {
      kind: 'error',
      message: `Reload of ${name} failed${result.stage ? ` (stage: ${result.stage})` : ''}`,
      // Why, where, that the previous version runs, and what to do.
      hint: result.error?.message ?? result.message,
    };
  }
  const versions =
    result.previousVersion === result.version
      ? ` (${versionText(result.version)}, same version)`
      : `: ${versionText(result.previousVersion)} → ${versionText(result.version)}`;
  const where =
    result.applied === 'recorded'
      ? ' It was recorded; the processes running it apply it.'
      : result.running
        ? ''
        : ' It does not run now; the new code is used when it starts.';
  const groups: string[] = [];
  for (const action of ['restarted', 'notified'] as const) {
    const list = result.dependents.filter((d) => d.action === action);
    if (list.length === 0) continue;
    const names = list.map(
      (d) => `${nameOf(d.serviceId)}${d.result === 'failed' ? ` (failed: ${d.message ?? 'error'})` : ''}`,
    );
    groups.push(`${action === 'restarted' ? 'Restarted' : 'Notified'}: ${names.join(', ')}`);
  }
  return {
    kind: 'success',
    message: `Reloaded ${name}${versions}.${where}`,
    hint: groups.length > 0 ? `${groups.join(' · ')}.` : null,
  };
}
