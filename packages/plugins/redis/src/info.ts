/**
 * What `INFO server`, `INFO memory` and `INFO replication` say about a Redis or Valkey server, and the
 * health message made of it: latency, server and version, role, memory use against maxmemory.
 */
import type { HealthCheckResult } from '@servicedeck/core';

/** Memory use above this share of maxmemory is warned about. */
export const MEMORY_WARNING_RATIO = 0.9;

/** The fields of an `INFO` reply, by name. */
export type InfoFields = ReadonlyMap<string, string>;

/** Parses the `name:value` lines of one or more `INFO` replies. */
export function parseInfo(...replies: readonly string[]): InfoFields {
  const fields = new Map<string, string>();
  for (const reply of replies) {
    for (const line of reply.split(/\r?\n/)) {
      if (line === '' || line.startsWith('#')) continue;
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return fields;
}

/** What the health message reports about a server. */
export interface ServerFacts {
  /** `redis` or `valkey`. */
  readonly server: string;
  readonly version: string;
  /** `standalone`, `cluster` or `sentinel`. */
  readonly mode: string;
  /** `master` or `slave` (a replica). */
  readonly role: string;
  /** `host:port` of the master, for a replica. */
  readonly master: string | undefined;
  /** Whether a replica's link to its master is down. */
  readonly masterLinkDown: boolean;
  readonly usedMemory: number;
  readonly usedMemoryHuman: string;
  /** 0 when no limit is set. */
  readonly maxMemory: number;
  readonly maxMemoryHuman: string;
}

/** Reads the facts the health message needs from parsed `INFO` fields. */
export function serverFacts(info: InfoFields): ServerFacts {
  const valkey = info.get('valkey_version');
  const role = info.get('role') ?? 'master';
  const masterHost = info.get('master_host');
  return {
    server: valkey !== undefined || info.get('server_name') === 'valkey' ? 'valkey' : 'redis',
    version: valkey ?? info.get('redis_version') ?? 'unknown',
    mode: info.get('redis_mode') ?? info.get('server_mode') ?? 'standalone',
    role,
    master: role === 'slave' && masterHost ? `${masterHost}:${info.get('master_port') ?? ''}` : undefined,
    masterLinkDown: role === 'slave' && info.get('master_link_status') === 'down',
    usedMemory: Number(info.get('used_memory') ?? 0),
    usedMemoryHuman: info.get('used_memory_human') ?? '?',
    maxMemory: Number(info.get('maxmemory') ?? 0),
    maxMemoryHuman: info.get('maxmemory_human') ?? '0B',
  };
}

/**
 * The `active` result: `PONG in 1 ms; Redis 7.0.15 (standalone); memory 1.05M used, no maxmemory`, with a
 * replica's master and a warning when memory use is above 90% of maxmemory.
 */
export function healthyResult(latencyMs: number, facts: ServerFacts): HealthCheckResult {
  const name = facts.server === 'valkey' ? 'Valkey' : 'Redis';
  const replica =
    facts.role === 'slave'
      ? `, read-only replica of ${facts.master ?? 'unknown master'}${facts.masterLinkDown ? ', link to master down' : ''}`
      : '';
  const ratio = facts.maxMemory > 0 ? facts.usedMemory / facts.maxMemory : null;
  const percent = ratio === null ? null : Math.round(ratio * 100);
  let memory: string;
  if (ratio === null) memory = `memory ${facts.usedMemoryHuman} used, no maxmemory`;
  else if (ratio > MEMORY_WARNING_RATIO) {
    memory = `warning: memory ${facts.usedMemoryHuman} of ${facts.maxMemoryHuman} (${percent}%), above ${MEMORY_WARNING_RATIO * 100}% of maxmemory`;
  } else memory = `memory ${facts.usedMemoryHuman} of ${facts.maxMemoryHuman} (${percent}%)`;
  return {
    status: 'active',
    message: `PONG in ${latencyMs} ms; ${name} ${facts.version} (${facts.mode}${replica}); ${memory}`,
    details: {
      latencyMs,
      server: facts.server,
      version: facts.version,
      mode: facts.mode,
      role: facts.role,
      usedMemory: facts.usedMemory,
      maxMemory: facts.maxMemory,
      memoryPercent: percent,
      ...(facts.master === undefined ? {} : { master: facts.master, masterLinkDown: facts.masterLinkDown }),
    },
  };
}
