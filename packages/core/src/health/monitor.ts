/**
 * The `HealthMonitor`: checks each tracked service on its own interval, start times spread out, every
 * check under a timeout and a global concurrency bound, applies thresholds, attributes failures to a
 * failing dependency, and emits status changes and check records.
 */
import { EventEmitter } from 'node:events';
import { describeError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type HealthCheckResult, SERVICE_STATUSES, type ServiceStatus } from '../types.js';
import { rootCause } from './causes.js';
import { DueSchedule } from './schedule.js';
import { Semaphore } from './semaphore.js';
import { applyOutcome, outcomeOf, type ThresholdState } from './thresholds.js';
import type { HealthCheckRecord, HealthEvents, HealthTarget, ServiceHealth, StatusChange } from './types.js';

/** Options of a {@link HealthMonitor}. */
export interface HealthMonitorOptions {
  /** The most checks running at once, across all services (default 1 024). */
  readonly concurrency?: number;
  /** Milliseconds an on-demand result is reused instead of checking again (default 5 000). */
  readonly cacheTtlMs?: number;
  /** Spread first checks over at most this many milliseconds (default: each service's interval). */
  readonly maxStartSpreadMs?: number;
  /** The id recorded on every result. */
  readonly instanceId?: string;
  readonly logger?: Logger;
  /** Random source for spreading start times (tests make it deterministic). */
  readonly random?: () => number;
}

interface Tracked extends ThresholdState {
  readonly id: string;
  readonly target: HealthTarget;
  message: string | null;
  cause: string | null;
  last: HealthCheckRecord | undefined;
  lastAt: number;
  running: Promise<HealthCheckRecord> | undefined;
  controller: AbortController | undefined;
  /** A check that timed out and has not settled yet. */
  hung: Promise<void> | undefined;
}

/** Checks services' health on a schedule and on demand. */
export class HealthMonitor extends EventEmitter<HealthEvents> {
  private readonly tracked = new Map<string, Tracked>();
  private readonly semaphore: Semaphore;
  private readonly schedule: DueSchedule;
  private readonly logger: Logger;
  private readonly instanceId: string;
  private readonly cacheTtlMs: number;
  private readonly random: () => number;
  private running = false;
  private totalChecks = 0;

  public constructor(private readonly options: HealthMonitorOptions = {}) {
    super();
    this.semaphore = new Semaphore(options.concurrency ?? 1024);
    this.schedule = new DueSchedule((ids) => this.dispatch(ids));
    this.logger = options.logger ?? silentLogger;
    this.instanceId = options.instanceId ?? 'local';
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.random = options.random ?? Math.random;
  }

  /** The concurrency bound. */
  public get concurrency(): number {
    return this.semaphore.limit;
  }

  /** Checks running now, and the most that ever ran at once. */
  public get inFlight(): { readonly now: number; readonly peak: number; readonly waiting: number } {
    return { now: this.semaphore.inUse, peak: this.semaphore.peak, waiting: this.semaphore.waiting };
  }

  /** How many checks ran since the monitor was created. */
  public get checksRun(): number {
    return this.totalChecks;
  }

  /** Ids being monitored. */
  public get ids(): string[] {
    return [...this.tracked.keys()];
  }

  /**
   * Starts monitoring a service (replacing an earlier target of the same id). Its first scheduled check
   * comes at a random point within its interval, so services do not all check at once.
   *
   * @param initial - the status to start from (default `unknown`).
   */
  public track(id: string, target: HealthTarget, initial: ServiceStatus = 'unknown'): void {
    this.tracked.set(id, {
      id,
      target,
      status: initial,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      message: null,
      cause: null,
      last: undefined,
      lastAt: Number.NEGATIVE_INFINITY,
      running: undefined,
      controller: undefined,
      hung: undefined,
    });
    const spread = Math.min(
      target.settings.intervalMs,
      this.options.maxStartSpreadMs ?? target.settings.intervalMs,
    );
    this.schedule.schedule(id, performance.now() + this.random() * spread);
  }

  /** Stops monitoring a service; a check in flight finishes but changes nothing. */
  public untrack(id: string): void {
    this.tracked.delete(id);
    this.schedule.remove(id);
  }

  /** Starts the scheduled checks. */
  public start(): void {
    this.running = true;
    this.schedule.start();
  }

  /**
   * Stops scheduling and waits (at most `graceMs`) for checks in flight to finish.
   */
  public async stop(graceMs = 5_000): Promise<void> {
    this.running = false;
    this.schedule.stop();
    const inFlight = [...this.tracked.values()].map((t) => t.running).filter((p) => p !== undefined);
    if (inFlight.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(inFlight),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  /** A service's current health, or undefined when it is not tracked. */
  public health(id: string): ServiceHealth | undefined {
    const t = this.tracked.get(id);
    if (!t) return undefined;
    return {
      status: t.status,
      message: t.message,
      cause: t.cause,
      consecutiveFailures: t.consecutiveFailures,
      consecutiveSuccesses: t.consecutiveSuccesses,
      last: t.last,
    };
  }

  /**
   * Checks a service now, through the same concurrency bound. A result younger than the cache TTL is
   * returned as is, and a check already in flight is joined, so repeated requests do not hammer the
   * service. Returns undefined for an untracked id.
   *
   * @param fresh - ignore the cache (an in-flight check is still joined).
   */
  public checkNow(id: string, fresh = false): Promise<HealthCheckRecord> | undefined {
    const t = this.tracked.get(id);
    if (!t) return undefined;
    if (t.running) return t.running;
    if (!fresh && t.last && performance.now() - t.lastAt < this.cacheTtlMs) return Promise.resolve(t.last);
    return this.run(t);
  }

  /** Checks every tracked service now (cache honoured unless `fresh`), all through the bound. */
  public async checkAll(fresh = false): Promise<Map<string, HealthCheckRecord>> {
    const ids = [...this.tracked.keys()];
    const records = await Promise.all(ids.map((id) => this.checkNow(id, fresh)));
    const out = new Map<string, HealthCheckRecord>();
    records.forEach((record, index) => {
      if (record) out.set(ids[index] as string, record);
    });
    return out;
  }

  private dispatch(ids: string[]): void {
    for (const id of ids) {
      const t = this.tracked.get(id);
      if (!t) continue;
      if (t.running) {
        // An on-demand check is running: the scheduled one follows the interval after it.
        void t.running.then(() => this.reschedule(t, performance.now()));
        continue;
      }
      void this.run(t, true);
    }
  }

  /** The record of a check that did not run, from what is known of the service. */
  private placeholder(t: Tracked): HealthCheckRecord {
    return {
      serviceId: t.id,
      instanceId: this.instanceId,
      status: t.status,
      latencyMs: null,
      message: t.message,
      cause: t.cause,
      checkedAt: new Date(),
    };
  }

  private reschedule(t: Tracked, startedAt: number): void {
    if (!this.running || this.tracked.get(t.id) !== t) return;
    this.schedule.schedule(t.id, Math.max(startedAt + t.target.settings.intervalMs, performance.now()));
  }

  private run(t: Tracked, scheduled = false): Promise<HealthCheckRecord> {
    const promise = this.execute(t, scheduled).finally(() => {
      t.running = undefined;
    });
    t.running = promise;
    return promise;
  }

  /** Runs one check under the bound and the timeout, then applies it. Never rejects. */
  private async execute(t: Tracked, scheduled: boolean): Promise<HealthCheckRecord> {
    let observed: ServiceStatus;
    let message: string | null;
    let details: HealthCheckResult['details'];
    const { timeoutMs } = t.target.settings;
    if (t.hung) {
      // The last check timed out and has not settled: another would only pile up behind it.
      const startedAt = performance.now();
      return this.complete(
        t,
        startedAt,
        'error',
        `the previous check is still running after timing out (${timeoutMs} ms)`,
        undefined,
      );
    }
    const wait = this.semaphore.acquire();
    if (wait) await wait;
    if (scheduled && !this.running) {
      // Stopped while this scheduled check waited for a slot: it is not run.
      this.semaphore.release();
      return t.last ?? this.placeholder(t);
    }
    const startedAt = performance.now();
    // One controller per service, replaced only once a timeout has aborted it.
    t.controller ??= new AbortController();
    const controller = t.controller;
    let timer: NodeJS.Timeout | undefined;
    // A check that outlives its timeout keeps its slot until it settles, so the bound holds.
    let holdSlotUntil: Promise<unknown> | undefined;
    try {
      let result = t.target.check(controller.signal);
      // A check that answers synchronously needs no timeout race.
      if (isPromiseLike(result)) {
        const pending = Promise.resolve(result);
        try {
          result = await Promise.race([
            pending,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new CheckTimeout(timeoutMs)), timeoutMs);
            }),
          ]);
        } catch (error) {
          if (error instanceof CheckTimeout) holdSlotUntil = pending;
          throw error;
        }
      }
      ({ status: observed, message, details } = normalizeResult(result));
    } catch (error) {
      observed = 'error';
      message = error instanceof CheckTimeout ? error.message : `check failed: ${describeError(error)}`;
      details = undefined;
      if (error instanceof CheckTimeout) {
        controller.abort(error);
        t.controller = undefined;
      }
    } finally {
      if (timer) clearTimeout(timer);
      if (holdSlotUntil) {
        const settled = holdSlotUntil.then(
          () => undefined,
          () => undefined,
        );
        t.hung = settled;
        // The slot is given back when the check settles, or after one more timeout for a check that
        // ignores its abort signal (logged), so a hung plugin cannot starve the others for good.
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          this.semaphore.release();
        };
        const grace = setTimeout(() => {
          this.logger.warn('health check ignores its abort signal; its slot is given back', {
            service: t.id,
          });
          release();
        }, timeoutMs);
        grace.unref();
        void settled.then(() => {
          clearTimeout(grace);
          release();
          if (t.hung === settled) t.hung = undefined;
        });
      } else {
        this.semaphore.release();
      }
    }
    return this.complete(t, startedAt, observed, message, details);
  }

  /** Records a finished check: thresholds, cause, events, next schedule. */
  private complete(
    t: Tracked,
    startedAt: number,
    observed: ServiceStatus,
    message: string | null,
    details: HealthCheckResult['details'],
  ): HealthCheckRecord {
    const finishedAt = performance.now();
    this.totalChecks += 1;
    const outcome = outcomeOf(observed);
    const cause = outcome === 'failure' ? this.failingDependency(t) : null;
    const record: HealthCheckRecord = {
      serviceId: t.id,
      instanceId: this.instanceId,
      status: observed,
      latencyMs: Math.round((finishedAt - startedAt) * 100) / 100,
      message,
      cause,
      checkedAt: new Date(),
      ...(details === undefined ? {} : { details }),
    };
    if (this.tracked.get(t.id) !== t) return record;
    t.last = record;
    t.lastAt = finishedAt;
    const from = t.status;
    const changed = applyOutcome(t, outcome, t.target.settings);
    if (changed || t.status === observed || outcome === 'inactive') {
      t.message = message;
      t.cause = cause;
    }
    this.emit('check', record);
    if (changed) {
      const change: StatusChange = {
        service: t.id,
        from,
        to: t.status,
        cause,
        message,
        at: record.checkedAt,
      };
      this.logger.info('status changed', { service: t.id, from, to: t.status, cause, reason: message });
      this.emit('statusChange', change);
    }
    this.reschedule(t, startedAt);
    return record;
  }

  /**
   * The dependency that explains a failure: a dependency in `error`, followed down to the deepest one
   * in `error` (the root cause), or null.
   */
  private failingDependency(t: Tracked): string | null {
    return rootCause(
      t.id,
      (id) => this.tracked.get(id)?.target.dependencies ?? [],
      (id) => this.tracked.get(id)?.status === 'error',
    );
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

class CheckTimeout extends Error {
  public constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms (timed out)`);
  }
}

function normalizeResult(result: HealthCheckResult | ServiceStatus): {
  status: ServiceStatus;
  message: string | null;
  details: HealthCheckResult['details'];
} {
  if (typeof result === 'string' && SERVICE_STATUSES.includes(result))
    return { status: result, message: null, details: undefined };
  if (result && typeof result === 'object' && SERVICE_STATUSES.includes(result.status)) {
    return { status: result.status, message: result.message ?? null, details: result.details };
  }
  return {
    status: 'error',
    message: `check returned ${JSON.stringify(result)}, not one of ${SERVICE_STATUSES.join(', ')}`,
    details: undefined,
  };
}
