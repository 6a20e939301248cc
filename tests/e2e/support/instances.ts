/**
 * Drives bot processes of `instance-child.mjs` (each a manager of the BUILT core in its own Node process)
 * through its line-based JSON protocol, and reads the truth from the database they share.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const CHILD_SCRIPT = fileURLToPath(new URL('./instance-child.mjs', import.meta.url));
/** What the child imports: `@servicedeck/core` resolves to it outside vitest. */
export const BUILT_CORE = fileURLToPath(new URL('../../../packages/core/dist/index.js', import.meta.url));

/** The ids of the child's services, dependencies first: api → cache → db. */
export const SERVICE_IDS = ['db', 'cache', 'api'] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

export interface ServiceState {
  readonly enabled: boolean;
  readonly running: boolean;
  readonly status: string;
  readonly enables: number;
  readonly disables: number;
  readonly anomalies: number;
}

export interface InstanceState {
  readonly instanceId: string;
  readonly pid: number;
  readonly services: Readonly<Record<ServiceId, ServiceState>> & Readonly<Record<string, ServiceState>>;
  /** The revision this process last recorded in the instances table (public `listInstances`). */
  readonly lastRevision: number | null;
}

export interface ServiceEvent {
  readonly event: 'service';
  readonly id: string;
  readonly action: 'enable' | 'disable';
  /** Wall-clock milliseconds (sub-millisecond). */
  readonly at: number;
  readonly anomaly?: string;
}

export interface ToggleReply {
  readonly at: number;
  readonly steps: number;
  readonly outcomes: readonly string[];
}

export interface InstanceOptions {
  readonly url: string;
  readonly instanceId: string;
  /** Directory for discovery (empty) and configuration files. */
  readonly root: string;
  readonly sync?: Record<string, unknown>;
  /** Services without dependencies to register besides db, cache and api. */
  readonly extraServices?: readonly string[];
  /** Child's log level, written to its stderr (default: silent). */
  readonly logLevel?: string;
}

type Reply = { reply: number | null; ok: boolean; error?: { code?: string; message?: string } } & Record<
  string,
  unknown
>;

/** One bot process. */
export class Instance {
  readonly child: ChildProcess;
  readonly events: ServiceEvent[] = [];
  readonly exited: Promise<number | null>;
  readonly ready: Promise<InstanceState>;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private readonly waiters = new Set<() => void>();
  private stderrText = '';

  constructor(readonly options: InstanceOptions) {
    this.child = spawn(process.execPath, [CHILD_SCRIPT, JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString();
    });
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    let readyResolve!: (state: InstanceState) => void;
    let readyReject!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // Unobserved rejections are reported through `ready` itself when awaited.
    this.ready.catch(() => undefined);
    const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.stderrText += `[stdout] ${line}\n`;
        return;
      }
      if (message.event === 'service') {
        this.events.push(message as unknown as ServiceEvent);
        for (const wake of this.waiters) wake();
      } else if (message.event === 'ready') {
        readyResolve(message as unknown as InstanceState);
      } else if (message.event === 'fatal') {
        readyReject(new Error(`${options.instanceId} failed to start: ${String(message.message)}`));
      } else if ('reply' in message) {
        const reply = message as Reply;
        const waiting = this.pending.get(reply.reply ?? -1);
        if (waiting) {
          this.pending.delete(reply.reply ?? -1);
          waiting.resolve(reply);
        }
      }
    });
    void this.exited.then((code) => {
      const error = new Error(`${options.instanceId} exited (${code}): ${this.stderrText.slice(-2_000)}`);
      readyReject(error);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a command and returns its reply; rejects with the child's error when it failed. */
  async request(op: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Reply> {
    const seq = ++this.seq;
    const reply = new Promise<Reply>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      const timer = setTimeout(() => {
        if (this.pending.delete(seq)) reject(new Error(`${this.options.instanceId}: no reply to ${op}`));
      }, timeoutMs);
      timer.unref();
    });
    this.child.stdin?.write(`${JSON.stringify({ seq, op, ...args })}\n`);
    const result = await reply;
    if (!result.ok) {
      throw Object.assign(new Error(`${this.options.instanceId} ${op}: ${result.error?.message}`), {
        code: result.error?.code,
      });
    }
    return result;
  }

  async enable(id: ServiceId, withDependencies = false): Promise<ToggleReply> {
    return (await this.request('enable', { id, withDependencies })) as unknown as ToggleReply;
  }

  async disable(id: ServiceId, cascade = false): Promise<ToggleReply> {
    return (await this.request('disable', { id, cascade })) as unknown as ToggleReply;
  }

  async state(): Promise<InstanceState> {
    return (await this.request('state')) as unknown as InstanceState;
  }

  /** Waits (without sleeping) for a service event matching `match`, among those from `from` on. */
  async waitForEvent(
    match: (event: ServiceEvent) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<ServiceEvent> {
    const found = (): ServiceEvent | undefined => this.events.slice(from).find(match);
    const now = found();
    if (now) return now;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const event = found();
        if (!event) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.options.instanceId}: no matching service event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Shuts the manager down and waits for the process to exit by itself. */
  async stop(timeoutMs = 10_000): Promise<number | null> {
    await this.request('stop', {}, timeoutMs);
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutMs).unref(),
    );
    const code = await Promise.race([this.exited, timeout]);
    if (code === 'timeout') throw new Error(`${this.options.instanceId} did not exit after stop`);
    return code;
  }

  /** Kills the process if it still runs, and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The PostgreSQL database name of a connection URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The backend pids of every change listener (`LISTEN servicedeck_changes`) connected to `database`. */
export async function listenerPids(admin: pg.Client, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN servicedeck_changes' ORDER BY pid`,
    [database],
  );
  return rows.map((row) => row.pid);
}
