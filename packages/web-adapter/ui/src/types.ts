/** The HTTP API's shapes, as the web UI uses them (see `src/schemas.ts` of the server). */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Status = 'active' | 'inactive' | 'error' | 'unknown';
export type ServiceType = 'internal' | 'external' | 'wrapper';
export type AccessLevel = 'read' | 'manage';

export const STATUSES: readonly Status[] = ['active', 'inactive', 'error', 'unknown'];
export const SERVICE_TYPES: readonly ServiceType[] = ['internal', 'external', 'wrapper'];

export interface ServiceSummary {
  id: string;
  name: string;
  description: string;
  type: ServiceType;
  version: string | null;
  dependencies: string[];
  tags: string[];
  enabled: boolean;
  status: Status;
  statusMessage: string | null;
  running: boolean;
  missing: boolean;
  source: string | null;
  lastHealthCheck: string | null;
  latencyMs: number | null;
}

export interface HealthRecord {
  serviceId: string;
  instanceId: string;
  status: Status;
  latencyMs: number | null;
  message: string | null;
  cause: string | null;
  checkedAt: string;
}

export interface Uptime {
  windowHours: number;
  checks: number;
  active: number;
  ratio: number | null;
}

/** The service as one servicedeck process last checked it. */
export interface ServiceInstance {
  instanceId: string;
  hostname: string;
  pid: number;
  state: 'running' | 'gone';
  self: boolean;
  status: Status | null;
  message: string | null;
  checkedAt: string | null;
}

export interface ServiceDetail {
  service: ServiceSummary;
  dependencies: ServiceSummary[];
  dependents: ServiceSummary[];
  uptime: Uptime;
  lastCheck: HealthRecord | null;
  instances: ServiceInstance[];
}

export type LifecycleAction = 'enable' | 'disable';

export interface LifecycleResult {
  plan: { action: LifecycleAction; target: string; steps: { serviceId: string; action: LifecycleAction }[] };
  dryRun: boolean;
  outcomes: {
    serviceId: string;
    action: LifecycleAction;
    result: 'ok' | 'failed';
    status: Status;
    message: string | null;
  }[];
  applied: 'here' | 'recorded';
}

export type ReloadStage = 'load' | 'validate' | 'start' | 'health' | 'dependents';

/** What `POST /api/services/:id/reload` answers (a failed reload is a 200 too, with result `failed`). */
export interface ReloadResult {
  serviceId: string;
  result: 'ok' | 'failed';
  applied: 'here' | 'recorded';
  revision: number | null;
  previousVersion: string | null;
  version: string | null;
  stage: ReloadStage | null;
  /** Why it failed: `message` says what to do too, `reason` does not. */
  error: { code: string; message: string; reason: string } | null;
  rolledBack: boolean;
  running: boolean;
  status: Status;
  message: string | null;
  dependents: {
    serviceId: string;
    action: 'restarted' | 'notified';
    result: 'ok' | 'failed';
    message: string | null;
  }[];
  durationMs: number;
}

export interface ConfigFieldInfo {
  key: string;
  value?: JsonValue;
  source: string;
  secret: boolean;
  envVar: string;
  overridden?: JsonValue;
  types: string[];
  description?: string;
  required: boolean;
}

export interface ConfigView {
  serviceId: string;
  version: number;
  values: JsonObject;
  fields: ConfigFieldInfo[];
  liveConfig: boolean;
  pendingRestart: boolean;
  problems: { path: string; message: string }[];
  schema: JsonObject | null;
}

export interface ConfigChange {
  key: string;
  from?: JsonValue;
  to?: JsonValue;
}

export interface ConfigUpdateResult {
  serviceId: string;
  version: number;
  applied: string;
  changes: ConfigChange[];
}

export interface ConfigVersion {
  version: number;
  actor: string;
  adapter: string;
  createdAt: string;
  values: JsonObject;
  changes: ConfigChange[];
}

export type AuditResult = 'ok' | 'failed' | 'denied';

export interface AuditEntry {
  id: number;
  actor: string;
  adapter: string;
  origin: string | null;
  action: string;
  serviceId: string | null;
  result: AuditResult;
  details: JsonObject;
  instanceId: string | null;
  at: string;
}

export interface Instance {
  id: string;
  hostname: string;
  pid: number;
  shardIds: number[];
  version: string | null;
  startedAt: string;
  lastSeenAt: string;
  lastRevision: number;
  state: 'running' | 'gone';
  self: boolean;
}

export interface TokenInfo {
  id: number;
  name: string;
  scope: AccessLevel;
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Session {
  actor: string;
  level: AccessLevel;
  via: 'session' | 'token';
  csrfToken: string | null;
}

export interface FieldProblem {
  path: string;
  message: string;
}

export interface ApiErrorInfo {
  code: string;
  category: string;
  message: string;
  hint: string | null;
  details: Record<string, unknown>;
  fields: FieldProblem[];
}

/** Events of the live stream (`/api/events`). */
export interface StatusEvent {
  serviceId: string;
  from: Status;
  to: Status;
  cause: string | null;
  message: string | null;
  at: string | null;
}

export interface CheckEvent {
  serviceId: string;
  status: Status;
  latencyMs: number | null;
  message: string | null;
  cause: string | null;
  checkedAt: string | null;
}

export interface ChangeEvent {
  kind: 'state' | 'config' | 'catalog' | 'reload';
  serviceId: string;
  revision: number;
  enabled: boolean | null;
  /** The service as it is once the change was applied (its status included), when the server knows it. */
  service?: ServiceSummary | null;
}

export type LiveEvent =
  | { type: 'status'; data: StatusEvent }
  | { type: 'check'; data: CheckEvent }
  | { type: 'change'; data: ChangeEvent }
  | { type: 'audit'; data: AuditEntry }
  | { type: 'reset'; data: unknown };
