/**
 * Live configuration of services: validated against each service's schema before anything is stored,
 * secrets encrypted at rest and redacted in every output, environment overrides on top, every accepted
 * change a new version with an audit entry, applied to the live service and undone if it is rejected.
 */
import { describeError, isServiceDeckError, ServiceDeckError } from '../errors.js';
import type { HealthCheckRecord } from '../health/types.js';
import { type Logger, silentLogger } from '../logger.js';
import { type Actor, type AuditStore, actorOf } from '../persistence/audit-store.js';
import { recordChange } from '../persistence/changes.js';
import {
  type ConfigStore,
  isEncrypted,
  type StoredConfig,
  type StoredValue,
} from '../persistence/config-store.js';
import type { Database } from '../persistence/database.js';
import { jsonColumn } from '../persistence/json-column.js';
import { type ConfigProblem, checkConfig } from '../schema.js';
import { withTimeout } from '../timeout.js';
import type { ConfigSchema, JsonObject, JsonValue, ServiceMetadata } from '../types.js';
import {
  type ConfigChange,
  declaredKeys,
  diffConfig,
  envOverrides,
  envVarName,
  REDACTED,
  redact,
  secretKeys,
} from './fields.js';
import { generateKey, Keyring, keyId } from './keyring.js';
import { decryptValue, encryptValue } from './secrets.js';

/** Where a setting's effective value comes from. */
export type ConfigSource = 'stored' | 'default' | 'env' | 'unset';

/** One setting as shown to people: secrets redacted. */
export interface ConfigField {
  readonly key: string;
  /** The effective value (redacted when secret), or undefined when unset. */
  readonly value: JsonValue | undefined;
  readonly source: ConfigSource;
  readonly secret: boolean;
  /** The environment variable that overrides it. */
  readonly envVar: string;
  /** When an environment variable overrides a stored value: that stored value (redacted when secret). */
  readonly overridden?: JsonValue;
  /** The setting's JSON schema type(s) (`string`, `integer`, `object`…), or empty when undeclared or untyped. */
  readonly types: readonly string[];
  /** The setting's description in the schema, if any. */
  readonly description?: string;
  /** Whether the schema requires the setting. */
  readonly required: boolean;
}

/** A service's configuration as shown to people. */
export interface ServiceConfigView {
  readonly serviceId: string;
  /** The stored version (0 when nothing was ever stored). */
  readonly version: number;
  /** The effective configuration, secrets redacted. */
  readonly values: JsonObject;
  readonly fields: readonly ConfigField[];
  /** Whether the service applies changes while running. */
  readonly liveConfig: boolean;
  /** True when a stored version is newer than the one the running service uses (applies at next start). */
  readonly pendingRestart: boolean;
  /** Why the effective configuration is invalid ("not configured"), if it is. */
  readonly problems: readonly ConfigProblem[];
  /** The service's configuration schema (secrets are `writeOnly`), for forms; null when it has none. */
  readonly schema: ConfigSchema | null;
}

/** How an accepted change reached the service. */
export type ConfigApplied =
  /** The running service applied it. */
  | 'live'
  /** The service cannot apply changes while running: it applies at its next start. */
  | 'next-start'
  /** The service is not running (disabled, or waiting): it is used when the service starts. */
  | 'stored'
  /** The service was waiting for this configuration and has now started with it. */
  | 'started'
  /**
   * A manager in `control` mode stored it: the processes running the service apply it through their change
   * feed (live, at the next start, or when it starts), as they would their own change.
   */
  | 'recorded'
  /** Nothing changed: no version was created. */
  | 'unchanged';

/** The outcome of an accepted change. */
export interface ConfigUpdateResult {
  readonly serviceId: string;
  readonly version: number;
  readonly applied: ConfigApplied;
  /** What changed (secrets redacted). */
  readonly changes: readonly ConfigChange[];
}

/** One version in a service's configuration history. */
export interface ConfigVersionEntry {
  readonly version: number;
  readonly actor: string;
  readonly adapter: string;
  readonly createdAt: Date;
  /** The stored settings of the version, secrets redacted. */
  readonly values: JsonObject;
  /** What changed from the version before it. */
  readonly changes: readonly ConfigChange[];
}

/** Options of a change. */
export interface ConfigChangeOptions extends Actor {
  /** The version the edit was based on; a newer stored version makes the change a conflict. */
  readonly expectedVersion?: number;
}

/** What the manager lends the configuration for one service while applying a change. */
export interface LiveService {
  /** Whether a live instance runs. */
  running(): boolean;
  /** True when this manager runs no services (`control` mode): changes are only stored. */
  readonly recordOnly?: boolean;
  /** Hands the full effective configuration to the live instance. */
  apply(config: JsonObject): Promise<void>;
  /** Checks health right after applying (undefined when not monitored). */
  checkHealth(): Promise<HealthCheckRecord | undefined>;
  /** Starts the service if it is enabled and was only waiting for a valid configuration. */
  startIfWaiting(): Promise<boolean>;
  /** The configuration version the live instance uses. */
  appliedVersion(version: number): void;
}

/** Options of {@link Configuration}. */
export interface ConfigurationOptions {
  /** Environment for overrides and master keys (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory the key file path is relative to (default `process.cwd()`). */
  readonly cwd?: string;
  /** Master keys given directly, instead of the environment or key file. */
  readonly keyring?: Keyring;
  /** Milliseconds a service's `updateConfig` may take (default 30 000). */
  readonly applyTimeoutMs?: number;
  readonly logger?: Logger;
  /** This process's id, recorded with each change. */
  readonly instanceId?: string;
}

/** The effective configuration of a service and where each setting comes from. */
export interface ResolvedConfig {
  readonly config: JsonObject;
  readonly problems: readonly ConfigProblem[];
  readonly fields: readonly ConfigField[];
}

/** Manages stored configuration; the `ServiceRegistryManager` facade calls it. */
export class Configuration {
  private keys: Keyring | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly logger: Logger;

  public constructor(
    private readonly db: Database,
    private readonly store: ConfigStore,
    private readonly audit: AuditStore,
    private readonly options: ConfigurationOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.logger = options.logger ?? silentLogger;
    this.keys = options.keyring;
  }

  /** The master keys; created (key file) only when `create` and none exist. */
  /**
   * The master keys. A key file is read again on every call (it is small), so a rotation made by another
   * process is seen at once; it is created only when `create` and no secret is stored yet.
   */
  private async keyring(create: boolean): Promise<Keyring | undefined> {
    if (this.options.keyring) return this.options.keyring;
    if (this.keys?.source.kind === 'env') return this.keys;
    const cwd = this.options.cwd ? { cwd: this.options.cwd } : {};
    const loaded = await Keyring.load({ env: this.env, create: false, ...cwd });
    if (loaded || !create) {
      this.keys = loaded;
      return loaded;
    }
    const stored = await this.db.repos.configuration.count({ where: { encrypted: true } });
    if (stored > 0) {
      throw new ServiceDeckError(
        'SD_ERR_SECRET_KEY_MISSING',
        `${stored} secret(s) are stored but no master key is available, so no new key is made: it could not read them.`,
        {
          hint: `Restore the key file (${this.env.SERVICEDECK_KEY_FILE ?? '.servicedeck/master.key'}) or set SERVICEDECK_MASTER_KEY to the key that was in use.`,
        },
      );
    }
    this.keys = await Keyring.load({ env: this.env, create: true, ...cwd });
    if (this.keys?.source.kind === 'file')
      this.logger.info('master key created', { file: this.keys.source.file });
    return this.keys;
  }

  private async requireKeyring(): Promise<Keyring> {
    const keyring = await this.keyring(false);
    if (keyring) return keyring;
    throw new ServiceDeckError(
      'SD_ERR_SECRET_KEY_MISSING',
      'Secrets are stored but no master key is available.',
      {
        hint: `Set SERVICEDECK_MASTER_KEY, or restore the key file (${this.env.SERVICEDECK_KEY_FILE ?? '.servicedeck/master.key'}) that was in use.`,
      },
    );
  }

  /** Decrypts stored settings into plain values. */
  public async decode(serviceId: string, stored: StoredConfig): Promise<JsonObject> {
    const out: JsonObject = {};
    let keyring: Keyring | undefined;
    for (const [key, value] of Object.entries(stored)) {
      if (!isEncrypted(value)) {
        out[key] = (value as { v: JsonValue }).v;
        continue;
      }
      keyring ??= await this.requireKeyring();
      out[key] = await decryptValue(keyring, serviceId, key, { envelope: value.enc, keyId: value.keyId });
    }
    return out;
  }

  /** Encrypts the secret settings, reusing the stored envelope of a secret that did not change. */
  private async encode(
    serviceId: string,
    plain: JsonObject,
    secrets: ReadonlySet<string>,
    previous: StoredConfig,
    previousPlain: JsonObject,
  ): Promise<StoredConfig> {
    const out: Record<string, StoredValue> = {};
    let keyring: Keyring | undefined;
    for (const [key, value] of Object.entries(plain)) {
      if (!secrets.has(key)) {
        out[key] = { v: value };
        continue;
      }
      const before = previous[key];
      if (before && isEncrypted(before) && JSON.stringify(previousPlain[key]) === JSON.stringify(value)) {
        out[key] = before;
        continue;
      }
      keyring ??= (await this.keyring(true)) as Keyring;
      const encrypted = await encryptValue(keyring, serviceId, key, value);
      out[key] = { enc: encrypted.envelope, keyId: encrypted.keyId };
    }
    return out;
  }

  /** Applies defaults and environment overrides to stored settings and validates the result. */
  public resolve(metadata: ServiceMetadata, stored: JsonObject): ResolvedConfig {
    const overrides = envOverrides(metadata.configSchema, metadata.id, this.env);
    const merged: JsonObject = { ...stored };
    for (const [key, { value }] of overrides) merged[key] = value;
    const check = checkConfig(metadata.configSchema, merged, metadata.id);
    const secrets = secretKeys(metadata.configSchema);
    const keys = [...new Set([...declaredKeys(metadata.configSchema), ...Object.keys(check.config)])];
    const properties = (metadata.configSchema?.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set(
      Array.isArray(metadata.configSchema?.required) ? (metadata.configSchema.required as string[]) : [],
    );
    const fields: ConfigField[] = keys.map((key) => {
      const secret = secrets.has(key);
      const property = properties[key] ?? {};
      const type = property.type;
      const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type.map(String) : [];
      const show = (value: JsonValue | undefined): JsonValue | undefined =>
        value === undefined ? undefined : secret ? REDACTED : value;
      const override = overrides.get(key);
      const source: ConfigSource = override
        ? 'env'
        : key in stored
          ? 'stored'
          : key in check.config
            ? 'default'
            : 'unset';
      const overridden = override && key in stored ? show(stored[key]) : undefined;
      return {
        key,
        value: show(check.config[key]),
        source,
        secret,
        envVar: envVarName(metadata.id, key),
        ...(overridden === undefined ? {} : { overridden }),
        types,
        ...(typeof property.description === 'string' ? { description: property.description } : {}),
        required: required.has(key),
      };
    });
    const problems = check.problems.map((problem) => {
      const key = problem.path.split('/')[1];
      const override = key === undefined ? undefined : overrides.get(key);
      return override ? { ...problem, message: `${problem.message} (set by ${override.variable})` } : problem;
    });
    return { config: check.config, problems, fields };
  }

  /** The effective configuration of every service from stored settings (for start-up). */
  public async resolveAll(
    definitions: readonly ServiceMetadata[],
  ): Promise<Map<string, { resolved?: ResolvedConfig; version: number; error?: ServiceDeckError }>> {
    const stored = await this.store.readAll();
    const out = new Map<string, { resolved?: ResolvedConfig; version: number; error?: ServiceDeckError }>();
    for (const metadata of definitions) {
      const entry = stored.get(metadata.id) ?? { version: 0, values: {} };
      try {
        out.set(metadata.id, {
          resolved: this.resolve(metadata, await this.decode(metadata.id, entry.values)),
          version: entry.version,
        });
      } catch (error) {
        if (!isServiceDeckError(error)) throw error;
        out.set(metadata.id, { version: entry.version, error });
      }
    }
    return out;
  }

  /** The effective configuration of one service from its stored settings. */
  public async resolveOne(
    metadata: ServiceMetadata,
  ): Promise<{ resolved?: ResolvedConfig; version: number; error?: ServiceDeckError }> {
    const { version, values } = await this.store.read(metadata.id);
    try {
      return { resolved: this.resolve(metadata, await this.decode(metadata.id, values)), version };
    } catch (error) {
      if (!isServiceDeckError(error)) throw error;
      return { version, error };
    }
  }

  /** A service's configuration for display. */
  public async view(
    metadata: ServiceMetadata,
    appliedVersion: number | undefined,
  ): Promise<ServiceConfigView> {
    const { version, values } = await this.store.read(metadata.id);
    const resolved = this.resolve(metadata, await this.decode(metadata.id, values));
    return {
      serviceId: metadata.id,
      version,
      values: redact(resolved.config, secretKeys(metadata.configSchema)),
      fields: resolved.fields,
      liveConfig: metadata.liveConfig,
      pendingRestart: appliedVersion !== undefined && appliedVersion < version,
      problems: resolved.problems,
      schema: metadata.configSchema,
    };
  }

  /**
   * Merges `patch` into the stored settings (a `null` value removes a setting; a secret given as the
   * redaction mask keeps its stored value), validates, stores a new version and applies it.
   */
  public update(
    metadata: ServiceMetadata,
    patch: JsonObject,
    options: ConfigChangeOptions,
    live: LiveService,
  ): Promise<ConfigUpdateResult> {
    return this.change(metadata, 'config.update', options, live, (current) => {
      const next: JsonObject = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete next[key];
        else if (value === REDACTED) {
          // The mask stands for "keep the stored secret"; it is never stored as a value.
          if (!(key in current)) {
            throw new ServiceDeckError(
              'SD_ERR_CONFIG_INVALID',
              `Invalid configuration for "${metadata.id}": /${key}: "${REDACTED}" stands for the stored secret, and none is stored.`,
              {
                details: { serviceId: metadata.id, key },
                hint: 'Send the secret itself; nothing was stored.',
              },
            );
          }
        } else next[key] = value;
      }
      return next;
    });
  }

  /** Makes an earlier version's settings the current ones, as a new version. */
  public async rollback(
    metadata: ServiceMetadata,
    version: number,
    options: ConfigChangeOptions,
    live: LiveService,
  ): Promise<ConfigUpdateResult> {
    const target = await this.store.version(metadata.id, version);
    if (!target) {
      throw new ServiceDeckError(
        'SD_ERR_CONFIG_VERSION_NOT_FOUND',
        `"${metadata.id}" has no configuration version ${version}.`,
        {
          details: { serviceId: metadata.id, version },
          hint: 'Pick one of the versions its configuration history lists.',
        },
      );
    }
    const values = await this.decode(metadata.id, target.values);
    return this.change(metadata, 'config.rollback', options, live, () => values, { rolledBackTo: version });
  }

  private async conflict(serviceId: string, based: number, now: number): Promise<ServiceDeckError> {
    const latest = await this.store.version(serviceId, now);
    const by = latest ? ` by ${latest.actor} via ${latest.adapter} at ${latest.createdAt.toISOString()}` : '';
    return new ServiceDeckError(
      'SD_ERR_CONFIG_CONFLICT',
      `The configuration of "${serviceId}" changed since version ${based}, which this edit was based on: it is now version ${now}${by}.`,
      {
        details: { serviceId, expectedVersion: based, currentVersion: now },
        hint: 'Review the current settings and apply your change again.',
      },
    );
  }

  private async change(
    metadata: ServiceMetadata,
    action: string,
    options: ConfigChangeOptions,
    live: LiveService,
    next: (current: JsonObject) => JsonObject,
    extra: JsonObject = {},
  ): Promise<ConfigUpdateResult> {
    const id = metadata.id;
    const actor = actorOf(options);
    const current = await this.store.read(id);
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
      throw await this.conflict(id, options.expectedVersion, current.version);
    }
    const currentPlain = await this.decode(id, current.values);
    const nextPlain = next(currentPlain);
    const secrets = secretKeys(metadata.configSchema);
    const resolved = this.resolve(metadata, nextPlain);
    if (resolved.problems.length > 0) {
      const list = resolved.problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
      await this.audit.record({
        ...actor,
        action,
        serviceId: id,
        result: 'failed',
        details: { reason: `invalid: ${list}`, ...extra },
      });
      throw new ServiceDeckError('SD_ERR_CONFIG_INVALID', `Invalid configuration for "${id}": ${list}.`, {
        details: { serviceId: id, problems: resolved.problems.map((p) => ({ ...p })) },
        hint: 'Fix the settings listed and try again; nothing was stored.',
      });
    }
    const changes = diffConfig(currentPlain, nextPlain, secrets);
    if (changes.length === 0)
      return { serviceId: id, version: current.version, applied: 'unchanged', changes };
    const nextStored = await this.encode(id, nextPlain, secrets, current.values, currentPlain);
    const version = current.version + 1;
    await this.commit(id, current.version, nextStored, actor, async (transaction) => {
      await this.audit.record(
        {
          ...actor,
          action,
          serviceId: id,
          result: 'ok',
          details: {
            fromVersion: current.version,
            toVersion: version,
            changes: changes as unknown as JsonValue,
            ...extra,
          },
        },
        transaction,
      );
    });
    if (live.recordOnly) return { serviceId: id, version, applied: 'recorded', changes };
    if (!live.running()) {
      const started = await live.startIfWaiting();
      return { serviceId: id, version, applied: started ? 'started' : 'stored', changes };
    }
    if (!metadata.liveConfig) return { serviceId: id, version, applied: 'next-start', changes };
    try {
      const timeoutMs = this.options.applyTimeoutMs ?? 30_000;
      await withTimeout(
        () => live.apply(resolved.config),
        timeoutMs,
        () => new Error(`updateConfig() did not finish within ${timeoutMs} ms`),
      );
      const health = await live.checkHealth();
      if (health?.status === 'error')
        throw new Error(`its health check failed right after: ${health.message ?? 'error'}`);
      live.appliedVersion(version);
      return { serviceId: id, version, applied: 'live', changes };
    } catch (error) {
      await this.restore(metadata, version, current.values, currentPlain, actor, error, live);
      throw new ServiceDeckError(
        'SD_ERR_CONFIG_APPLY_FAILED',
        `"${id}" rejected configuration version ${version}: ${describeError(error)}; the previous settings were restored as version ${version + 1}.`,
        {
          cause: error,
          details: { serviceId: id, rejectedVersion: version, restoredVersion: version + 1 },
          hint: 'Check the values and the service, then try again.',
        },
      );
    }
  }

  private async commit(
    id: string,
    expected: number,
    values: StoredConfig,
    actor: Actor,
    more: (transaction: import('sequelize').Transaction) => Promise<void>,
  ): Promise<void> {
    let conflictAt: number | undefined;
    await this.db
      .transaction(async (transaction) => {
        const revision = await recordChange(
          this.db,
          'config',
          id,
          this.options.instanceId ?? null,
          transaction,
        );
        const written = await this.store.write(id, expected, values, { ...actor, revision }, transaction);
        if (!written) {
          conflictAt = (await this.store.read(id, transaction)).version;
          throw new Error('conflict');
        }
        await more(transaction);
      })
      .catch(async (error: unknown) => {
        if (conflictAt !== undefined) throw await this.conflict(id, expected, conflictAt);
        throw error;
      });
  }

  /** Stores the previous settings again as a new version and hands them back to the live service. */
  private async restore(
    metadata: ServiceMetadata,
    rejected: number,
    previous: StoredConfig,
    previousPlain: JsonObject,
    actor: Actor,
    reason: unknown,
    live: LiveService,
  ): Promise<void> {
    const id = metadata.id;
    await this.commit(id, rejected, previous, actor, async (transaction) => {
      await this.audit.record(
        {
          ...actor,
          action: 'config.update',
          serviceId: id,
          result: 'failed',
          details: {
            rejectedVersion: rejected,
            restoredVersion: rejected + 1,
            reason: describeError(reason),
          },
        },
        transaction,
      );
    });
    try {
      await live.apply(this.resolve(metadata, previousPlain).config);
      live.appliedVersion(rejected + 1);
    } catch (error) {
      this.logger.error('previous configuration could not be re-applied', { service: id, error });
    }
  }

  /** A service's configuration versions, newest first, secrets redacted, each with its changes. */
  public async history(metadata: ServiceMetadata, limit = 50): Promise<ConfigVersionEntry[]> {
    const versions = await this.store.versions(metadata.id, limit + 1);
    const secrets = secretKeys(metadata.configSchema);
    const plain = (values: StoredConfig): JsonObject =>
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [
          k,
          isEncrypted(v) ? `${REDACTED}${v.enc.slice(-8)}` : (v as { v: JsonValue }).v,
        ]),
      );
    return versions.slice(0, limit).map((entry, index) => {
      const before = versions[index + 1];
      const values = plain(entry.values);
      return {
        version: entry.version,
        actor: entry.actor,
        adapter: entry.adapter,
        createdAt: entry.createdAt,
        values: redact(values, secrets),
        // Envelopes differ when a secret changed, so comparing them (then redacting) shows the change.
        changes: diffConfig(before ? plain(before.values) : {}, values, secrets),
      };
    });
  }

  /**
   * Re-encrypts every stored secret, current and in history, with a new master key, in one transaction.
   * With a key file, the new key is generated and saved; with `SERVICEDECK_MASTER_KEY`, `newKey` must be
   * given (then set it in the environment).
   */
  public async rotateKeys(
    actor: Actor,
    newKey?: Uint8Array,
  ): Promise<{ keyId: string; reencrypted: number }> {
    const keyring = (await this.keyring(false)) ?? (await this.keyring(true));
    if (!keyring)
      throw new ServiceDeckError('SD_ERR_SECRET_KEY_MISSING', 'No master key is available.', {
        hint: 'Set SERVICEDECK_MASTER_KEY.',
      });
    if (keyring.source.kind === 'env' && !newKey) {
      throw new ServiceDeckError(
        'SD_ERR_KEY_ROTATION_NEEDS_KEY',
        'The master key comes from SERVICEDECK_MASTER_KEY, so the new key must be given.',
        {
          hint: 'Pass the new key (32 bytes, base64); afterwards set it as SERVICEDECK_MASTER_KEY and the old one as SERVICEDECK_MASTER_KEY_PREVIOUS until every process has it.',
        },
      );
    }
    const oldId = keyring.currentKeyId;
    const key = newKey ?? (await generateKey());
    const id = await keyId(key);
    keyring.adopt(id, key);
    // Saved with both keys first: should the transaction fail, the old key still reads the old values.
    await keyring.save();
    let count = 0;
    // The same envelope (a secret unchanged across versions) gets the same new envelope, so history
    // still shows it unchanged.
    const reencrypted = new Map<string, string>();
    const reencrypt = async (
      serviceId: string,
      key: string,
      envelope: string,
      id: string,
    ): Promise<{ enc: string; keyId: string }> => {
      count += 1;
      const cacheKey = `${serviceId}\u0000${key}\u0000${envelope}`;
      const cached = reencrypted.get(cacheKey);
      if (cached) return { enc: cached, keyId: keyring.currentKeyId };
      const plain = await decryptValue(keyring, serviceId, key, { envelope, keyId: id });
      const encrypted = await encryptValue(keyring, serviceId, key, plain);
      reencrypted.set(cacheKey, encrypted.envelope);
      return { enc: encrypted.envelope, keyId: encrypted.keyId };
    };
    await this.db.transaction(async (transaction) => {
      const { configuration, configVersions } = this.db.repos;
      for (const row of await configuration.findAll({ where: { encrypted: true }, transaction })) {
        const next = await reencrypt(row.serviceId, row.configKey, row.configValue, row.keyId ?? '');
        await row.update({ configValue: next.enc, keyId: next.keyId }, { transaction });
      }
      for (const row of await configVersions.findAll({ transaction })) {
        const values = jsonColumn<Record<string, StoredValue>>(row.values);
        let changed = false;
        for (const [key, value] of Object.entries(values)) {
          if (!isEncrypted(value)) continue;
          values[key] = await reencrypt(row.serviceId, key, value.enc, value.keyId);
          changed = true;
        }
        if (changed) await row.update({ values: { ...values } as unknown as JsonObject }, { transaction });
      }
      await this.audit.record(
        {
          ...actor,
          action: 'keys.rotate',
          result: 'ok',
          details: { fromKey: oldId, toKey: id, reencrypted: count },
        },
        transaction,
      );
    });
    keyring.dropOldKeys();
    await keyring.save();
    return { keyId: id, reencrypted: count };
  }
}
