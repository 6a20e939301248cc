/**
 * What `servicedeck reload` prints: the check of the new code, each running process's outcome and a
 * summary; and the one-line reports of `servicedeck up --watch`.
 */
import type { ReloadResult, ReloadStage } from '@servicedeck/core';
import { formatLatency } from './format.js';
import type { Styler } from './style.js';
import { renderTable } from './table.js';

/**
 * What one running servicedeck process did with the reload: `ok` or `failed` (it audited its outcome),
 * `timeout` (no answer in time), `gone` (it stopped while the command waited), `unaffected` (it caught up
 * with the change log without reloading the service: it does not load it from that file, or started with
 * the new code).
 */
export type ProcessResult = 'ok' | 'failed' | 'timeout' | 'gone' | 'unaffected';

/** One running process's outcome, as printed and in `--json`. */
export interface ProcessOutcome {
  readonly instanceId: string;
  readonly hostname: string;
  readonly pid: number;
  readonly result: ProcessResult;
  /** The revision it applied: the command's, or a newer reload of the same service that replaced it. */
  readonly revision: number | null;
  readonly previousVersion: string | null;
  readonly version: string | null;
  /** Where it failed there, or null. */
  readonly stage: ReloadStage | null;
  /** Why it failed (or did not answer), or null. */
  readonly reason: string | null;
  /** The previous version had been stopped there and was started again. */
  readonly rolledBack: boolean;
  readonly durationMs: number | null;
  /** When it audited its outcome (ISO 8601), or null. */
  readonly at: string | null;
}

/**
 * How the waiting ended: every process answered, the time ran out, `--no-wait`, no process was running;
 * null when the reload failed here (nothing was recorded, nothing to wait for).
 */
export type WaitOutcome = 'answered' | 'timed-out' | 'skipped' | 'no-process' | null;

/** What `reload --json` prints. */
export interface ReloadJson {
  readonly serviceId: string;
  readonly result: 'ok' | 'failed';
  readonly applied: 'here' | 'recorded';
  readonly revision: number | null;
  readonly previousVersion: string | null;
  readonly version: string | null;
  readonly stage: ReloadStage | null;
  readonly error: { code: string; message: string; reason: string } | null;
  readonly rolledBack: boolean;
  readonly running: boolean;
  readonly status: ReloadResult['status'];
  readonly message: string | null;
  readonly dependents: ReloadResult['dependents'];
  readonly durationMs: number;
  readonly wait: WaitOutcome;
  /** Seconds the command waited at most. */
  readonly timeoutSeconds: number;
  readonly processes: readonly ProcessOutcome[];
}

/** The JSON document of a reload and the processes' outcomes. */
export function reloadJson(
  result: ReloadResult,
  wait: WaitOutcome,
  timeoutSeconds: number,
  processes: readonly ProcessOutcome[],
): ReloadJson {
  return {
    serviceId: result.serviceId,
    result: result.result,
    applied: result.applied,
    revision: result.revision,
    previousVersion: result.previousVersion,
    version: result.version,
    stage: result.stage,
    error: result.error
      ? { code: result.error.code, message: result.error.message, reason: result.error.reason }
      : null,
    rolledBack: result.rolledBack,
    running: result.running,
    status: result.status,
    message: result.message,
    dependents: result.dependents.map((dependent) => ({ ...dependent })),
    durationMs: result.durationMs,
    wait,
    timeoutSeconds,
    processes,
  };
}

/** `1.0.0 → 1.1.0`, or `1.1.0` when the version did not change. */
export function versionChange(previous: string | null, next: string | null): string {
  if (previous === next) return next ?? '-';
  return `${previous ?? '-'} → ${next ?? '-'}`;
}

function plural(count: number, one: string, many = `${one}es`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The line saying the new code was checked and recorded (the reload succeeded in the CLI). */
export function checkedLine(result: ReloadResult): string {
  return `Checked "${result.serviceId}" ${versionChange(result.previousVersion, result.version)}: the new code loads and fits its metadata, settings and dependencies; reload recorded (revision ${result.revision}).`;
}

/** The lines for a reload that failed in the CLI: why, and that nothing was recorded. */
export function failedLines(result: ReloadResult, style: Styler): string[] {
  const reason = result.error?.reason ?? result.message ?? 'the reload failed';
  return [
    `${style('red', 'Reload failed')}${result.stage ? ` (stage ${result.stage})` : ''}: ${reason}`,
    `Nothing was recorded: the running servicedeck processes keep their current code. Fix it and run servicedeck reload ${result.serviceId} again.`,
  ];
}

/** The line printed before waiting for the running processes. */
export function waitingLine(count: number, timeoutSeconds: number): string {
  return `Waiting for ${plural(count, 'running servicedeck process')} to apply it (up to ${timeoutSeconds} s)…`;
}

const RESULT_WORD: Record<ProcessResult, string> = {
  ok: 'ok',
  failed: 'failed',
  timeout: 'no answer',
  gone: 'stopped',
  unaffected: 'unaffected',
};

/** One row per process: PROCESS, RESULT, VERSION, TIME, MESSAGE. */
export function renderProcessOutcomes(outcomes: readonly ProcessOutcome[], style: Styler): string {
  return renderTable(
    ['PROCESS', 'RESULT', 'VERSION', 'TIME', 'MESSAGE'],
    outcomes.map((outcome) => [
      outcome.instanceId,
      outcome.result === 'ok'
        ? style('green', 'ok')
        : outcome.result === 'failed' || outcome.result === 'timeout'
          ? style('red', RESULT_WORD[outcome.result])
          : style('gray', RESULT_WORD[outcome.result]),
      outcome.result === 'ok' || outcome.result === 'failed'
        ? versionChange(outcome.previousVersion, outcome.version)
        : '-',
      formatLatency(outcome.durationMs),
      [outcome.stage ? `stage ${outcome.stage}: ` : '', outcome.reason ?? ''].join(''),
    ]),
    (head) => style('bold', head),
  );
}

/** The closing line after waiting: every process reloaded it, some failed, or some did not answer. */
export function waitSummary(
  serviceId: string,
  outcomes: readonly ProcessOutcome[],
  timeoutSeconds: number,
): string {
  const count = (result: ProcessResult): ProcessOutcome[] => outcomes.filter((o) => o.result === result);
  const ok = count('ok');
  const failed = count('failed');
  const silent = count('timeout');
  const parts: string[] = [];
  if (failed.length === 0 && silent.length === 0) {
    const gone = count('gone').length;
    const unaffected = count('unaffected').length;
    const notes = [
      gone > 0
        ? `${gone} stopped before applying it and ${gone === 1 ? 'loads' : 'load'} the new code at start`
        : '',
      unaffected > 0
        ? `${unaffected} caught up without reloading it (${unaffected === 1 ? 'it does' : 'they do'} not load it from that file)`
        : '',
    ].filter(Boolean);
    if (ok.length === 0) {
      return `Nothing to wait for: ${notes.join('; ')}.`;
    }
    return `Done: "${serviceId}" reloaded in ${plural(ok.length, 'process')}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}.`;
  }
  if (failed.length > 0) {
    parts.push(
      `${failed.length} of ${plural(outcomes.length, 'process')} failed to reload "${serviceId}": what each runs now is in MESSAGE. Fix the code and run servicedeck reload ${serviceId} again.`,
    );
  }
  if (silent.length > 0) {
    parts.push(
      `${silent.length} of ${plural(outcomes.length, 'process')} did not answer within ${timeoutSeconds} s (${silent.map((o) => o.instanceId).join(', ')}). The reload is still recorded: ${silent.length === 1 ? 'it applies' : 'they apply'} it when ${silent.length === 1 ? 'it catches' : 'they catch'} up with the change log (servicedeck audit ${serviceId} --action reload shows the outcomes).`,
    );
  }
  return parts.join('\n');
}

/** The line when no servicedeck process runs: the code was checked, and is loaded at the next start. */
export function noProcessLine(): string {
  return 'No servicedeck process is running: the new code was checked and will be loaded at the next start.';
}

/** The line for `--no-wait`. */
export function notWaitingLine(serviceId: string, running: number): string {
  return `Not waiting: ${plural(running, 'running servicedeck process')} ${running === 1 ? 'applies' : 'apply'} it within moments (servicedeck audit ${serviceId} --action reload shows each outcome).`;
}

/**
 * One line per reload of `servicedeck up --watch`: the time, the service, `ok` with the version change, or
 * `failed` with the stage and reason; and how long it took.
 *
 * @example `2026-11-23T21:30:00.000Z reload greeter: ok 1.0.0 → 1.1.0 in 12 ms`
 * @example `2026-11-23T21:31:00.000Z reload greeter: failed at load in 3 ms (version 1.1.0 unchanged): Reload of …`
 */
export function formatWatchReload(result: ReloadResult, at: Date, style: Styler): string {
  const head = `${at.toISOString()} reload ${result.serviceId}:`;
  const took = `in ${formatLatency(result.durationMs)}`;
  if (result.result === 'ok') {
    return `${head} ${style('green', 'ok')} ${versionChange(result.previousVersion, result.version)} ${took}${result.running ? '' : ` (not running: ${result.message ?? result.status})`}`;
  }
  return `${head} ${style('red', 'failed')} at ${result.stage ?? 'reload'} ${took} (version ${result.version ?? '-'} unchanged): ${result.error?.reason ?? result.message ?? 'unknown reason'}`;
}
