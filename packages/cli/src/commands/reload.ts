/**
 * `servicedeck reload <id>`: load a service's new code from disk, check it, record the reload, and wait
 * for every running servicedeck process to apply it, printing each one's outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AuditEntry,
  type InstanceInfo,
  RELOAD_STAGES,
  type ServiceRegistryManager,
} from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { Progress } from '../output/progress.js';
import {
  checkedLine,
  failedLines,
  noProcessLine,
  notWaitingLine,
  type ProcessOutcome,
  reloadJson,
  renderProcessOutcomes,
  type WaitOutcome,
  waitingLine,
  waitSummary,
} from '../output/reload.js';
import { cliActor, withManager } from '../runtime.js';

/** Options of `reload`. */
export interface ReloadOptions {
  /** Wait for the running processes to apply the reload (default true; `--no-wait` turns it off). */
  readonly wait?: boolean;
  /** Seconds to wait at most (default 30). */
  readonly timeout?: number;
  /** Print a JSON document instead of the text. */
  readonly json?: boolean;
  /** Milliseconds between two reads of the audit log while waiting (default 200). */
  readonly pollMs?: number;
}

/** The default of `--timeout`, in seconds. */
const DEFAULT_RELOAD_TIMEOUT_S = 30;

/** A process's outcome from the `reload` audit entry it recorded. */
function fromEntry(instance: InstanceInfo, entry: AuditEntry): ProcessOutcome {
  const details = entry.details;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    instanceId: instance.id,
    hostname: instance.hostname,
    pid: instance.pid,
    result: entry.result === 'ok' ? 'ok' : 'failed',
    revision: typeof details.revision === 'number' ? details.revision : null,
    previousVersion: text(details.previousVersion),
    version: text(details.version),
    stage: RELOAD_STAGES.find((stage) => stage === details.stage) ?? null,
    reason: text(details.reason),
    rolledBack: details.rolledBack === true,
    durationMs: typeof details.durationMs === 'number' ? details.durationMs : null,
    at: entry.at.toISOString(),
  };
}

/** An outcome without an audit entry: no answer in time, stopped, or caught up without reloading. */
function withoutEntry(
  instance: InstanceInfo,
  result: 'timeout' | 'gone' | 'unaffected',
  reason: string,
): ProcessOutcome {
  return {
    instanceId: instance.id,
    hostname: instance.hostname,
    pid: instance.pid,
    result,
    revision: null,
    previousVersion: null,
    version: null,
    stage: null,
    reason,
    rolledBack: false,
    durationMs: null,
    at: null,
  };
}

/**
 * Follows the audit log until every process of `instances` recorded its outcome of the reload recorded as
 * `revision` (or of a newer reload of the same service, which replaces it), or the time runs out. A
 * process that stops meanwhile, or catches up with the change log without reloading the service, is not
 * waited for any longer.
 */
async function awaitOutcomes(
  manager: ServiceRegistryManager,
  id: string,
  revision: number,
  instances: readonly InstanceInfo[],
  afterId: number,
  timeoutMs: number,
  pollMs: number,
  progress: Progress,
): Promise<{ wait: WaitOutcome; processes: ProcessOutcome[] }> {
  const pending = new Map(instances.map((instance) => [instance.id, instance]));
  const outcomes = new Map<string, ProcessOutcome>();
  const deadline = Date.now() + timeoutMs;
  const readLog = async (): Promise<void> => {
    // Always from the first id: on PostgreSQL, entries written at the same moment by two processes may
    // become visible out of id order, so a cursor moved past one could skip the other.
    const entries = await manager.auditLog({
      action: 'reload',
      serviceId: id,
      afterId,
      limit: 1_000,
    });
    // Newest first: the oldest answer of each process is its answer to this reload.
    for (const entry of [...entries].reverse()) {
      const instance = entry.instanceId === null ? undefined : pending.get(entry.instanceId);
      const applied = entry.details.revision;
      if (!instance || typeof applied !== 'number' || applied < revision) continue;
      outcomes.set(instance.id, fromEntry(instance, entry));
      pending.delete(instance.id);
      progress.tick();
    }
  };
  let polls = 0;
  for (;;) {
    await readLog();
    if (pending.size === 0) break;
    polls += 1;
    // About once a second: a process that stopped, or that went past the revision without reloading the
    // service (it does not load it from that file), will never answer.
    if (polls % 5 === 0) {
      const current = new Map((await manager.listInstances()).map((instance) => [instance.id, instance]));
      // Its answer may have been recorded just before it moved on.
      await readLog();
      for (const [instanceId, instance] of pending) {
        const now = current.get(instanceId);
        if (!now || now.state === 'gone') {
          outcomes.set(
            instanceId,
            withoutEntry(
              instance,
              'gone',
              'stopped before applying it; it loads the new code when it starts again',
            ),
          );
        } else if (now.lastRevision >= revision) {
          outcomes.set(
            instanceId,
            withoutEntry(
              instance,
              'unaffected',
              'caught up without reloading it (it does not load this service from that file, or already runs the new code)',
            ),
          );
        } else continue;
        pending.delete(instanceId);
        progress.tick();
      }
      if (pending.size === 0) break;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(pollMs, left));
  }
  for (const [instanceId, instance] of pending) {
    outcomes.set(
      instanceId,
      withoutEntry(instance, 'timeout', `no answer within ${Math.round(timeoutMs / 1_000)} s`),
    );
  }
  return {
    wait: pending.size === 0 ? 'answered' : 'timed-out',
    processes: instances.map((instance) => outcomes.get(instance.id) as ProcessOutcome),
  };
}

/**
 * Reloads `id`: the new code is loaded and checked here (a failure is printed with its stage and reason,
 * exit 1, nothing recorded), the reload is recorded, and the command waits for each running servicedeck
 * process to apply it. Exit 0 when every process reloaded it (or none runs), 1 when one failed or did not
 * answer within the timeout.
 */
export async function reload(
  context: CommandContext,
  id: string,
  options: ReloadOptions = {},
): Promise<number> {
  const timeoutSeconds = options.timeout ?? DEFAULT_RELOAD_TIMEOUT_S;
  const wanted = options.wait !== false;
  const json = Boolean(options.json);
  const { print, style } = context;
  const report = await withManager(context, async (manager) => {
    // The processes running now are the ones to hear from (a control-mode manager registers none itself).
    const instances = (await manager.listInstances()).filter(
      (instance) => instance.state === 'running' && !instance.self,
    );
    const afterId = (await manager.auditLog({ limit: 1 }))[0]?.id ?? 0;
    const result = await manager.reloadService(id, cliActor(context.io.env));
    const done = (wait: WaitOutcome, processes: ProcessOutcome[] = []) => ({
      result,
      wait,
      processes,
      running: instances.length,
    });
    if (result.result === 'failed') return done(null);
    if (instances.length === 0 || result.revision === null) return done('no-process');
    if (!wanted) return done('skipped');
    if (!json) {
      print(checkedLine(result));
      print(waitingLine(instances.length, timeoutSeconds));
    }
    const progress = new Progress(context, 'waiting for the running processes…', {
      total: instances.length,
    });
    try {
      const waited = await awaitOutcomes(
        manager,
        id,
        result.revision,
        instances,
        afterId,
        timeoutSeconds * 1_000,
        options.pollMs ?? 200,
        progress,
      );
      return done(waited.wait, waited.processes);
    } finally {
      progress.end();
    }
  });

  const { result, wait, processes, running } = report;
  const failed =
    result.result === 'failed' || processes.some((p) => p.result === 'failed' || p.result === 'timeout');
  if (json) {
    print(JSON.stringify(reloadJson(result, wait, timeoutSeconds, processes), null, 2));
    return failed ? EXIT.failed : EXIT.ok;
  }
  if (result.result === 'failed') {
    for (const line of failedLines(result, style)) print(line);
    return EXIT.failed;
  }
  if (wait === 'no-process' || wait === 'skipped') {
    print(checkedLine(result));
    print(wait === 'no-process' ? noProcessLine() : notWaitingLine(result.serviceId, running));
    return EXIT.ok;
  }
  print('');
  print(renderProcessOutcomes(processes, style));
  print(`\n${waitSummary(result.serviceId, processes, timeoutSeconds)}`);
  return failed ? EXIT.failed : EXIT.ok;
}
