/**
 * The TypeScript sources of a generated plugin: its version, configuration schema, health-check request,
 * service class and public API. The service checks one HTTP(S) endpoint with nothing but Node.js, so the
 * package needs no dependency beyond core.
 */
import { callWithObject, namedBindings, type PluginSpec, quote, type ScaffoldFile } from './spec.js';
import { INITIAL_PLUGIN_VERSION } from './versions.js';

/** The longest `timeoutMs` the configuration accepts. */
export const MAX_TIMEOUT_MS = 30_000;

/** A number as a numeric literal with `_` between thousands: `30_000`. */
function numeral(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+$)/g, '_');
}

/** src/version.ts: the version constant the metadata reports. */
function versionFile(spec: PluginSpec): ScaffoldFile {
  return {
    path: 'src/version.ts',
    content: `/** The plugin's version, reported in its service's metadata; a test keeps it equal to package.json's. */
export const ${spec.constantPrefix}_PLUGIN_VERSION = '${INITIAL_PLUGIN_VERSION}';
`,
  };
}

/** src/config.ts: the JSON Schema of the settings (a required key, a default, a secret) and its type. */
function configFile(spec: PluginSpec): ScaffoldFile {
  const { constantPrefix: C, typePrefix: T, title } = spec;
  return {
    path: 'src/config.ts',
    content: `/**
 * The configuration of the ${title} service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** The longest a health check may wait for the endpoint, in milliseconds. */
export const ${C}_MAX_TIMEOUT_MS = ${numeral(MAX_TIMEOUT_MS)};

/** A validated configuration of the ${title} service, schema defaults applied. */
export type ${T}Config = {
  /** The http:// or https:// URL that health checks request. */
  readonly url: string;
  /** Sent as \`authorization: Bearer <apiKey>\`. A secret: encrypted at rest, never shown. */
  readonly apiKey?: string;
  /** Milliseconds a health check may wait for the endpoint (default 5000). */
  readonly timeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link ${T}Config}. */
export const ${C}_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description: 'The http:// or https:// URL that health checks request.',
    },
    apiKey: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: 'Sent as a bearer token with every request.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: ${C}_MAX_TIMEOUT_MS,
      default: 5_000,
      description: 'Milliseconds a health check may wait for the endpoint.',
    },
  },
  required: ['url'],
  additionalProperties: false,
};
`,
  };
}

/** src/probe.ts: one bounded GET request and its outcome in words. */
function probeFile(spec: PluginSpec): ScaffoldFile {
  const { constantPrefix: C, typePrefix: T, packageName } = spec;
  return {
    path: 'src/probe.ts',
    content: `/**
 * One health-check request: \`GET url\` on a connection of its own, under a timeout, and what came of it in
 * words an operator understands.
 */
import { request as httpRequest, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HealthCheckResult } from '@servicedeck/core';
import type { ${T}Config } from './config.js';
import { ${C}_PLUGIN_VERSION } from './version.js';

const USER_AGENT = \`${packageName}/\${${C}_PLUGIN_VERSION}\`;

function failure(message: string, reason: string, code?: string): HealthCheckResult {
  return { status: 'error', message, details: code === undefined ? { reason } : { reason, code } };
}

/** What an answer with this status means for the service. */
function fromStatus(status: number, text: string | undefined, latencyMs: number): HealthCheckResult {
  const got = \`\${status} \${text || STATUS_CODES[status] || ''}\`.trim();
  const details = { statusCode: status, latencyMs };
  if (status >= 200 && status < 300) {
    return { status: 'active', message: \`\${got} in \${latencyMs} ms\`, details };
  }
  if (status === 401 || status === 403) {
    return { status: 'error', message: \`authentication failed (\${got})\`, details };
  }
  return { status: 'error', message: \`unexpected \${got}\`, details };
}

/** What a request that got no complete answer ran into. */
function fromError(error: Error & { code?: string }, url: URL): HealthCheckResult {
  const { code } = error;
  const where = \`\${url.hostname}:\${url.port || (url.protocol === 'https:' ? '443' : '80')}\`;
  switch (code) {
    case 'ECONNREFUSED':
      return failure(\`connection refused by \${where}\`, 'connection-refused', code);
    case 'ECONNRESET':
      return failure(\`connection closed by \${where} before a complete response\`, 'connection-reset', code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return failure(\`DNS lookup failed for \${url.hostname} (\${code})\`, 'dns', code);
    default: {
      const suffix = code && !error.message.includes(code) ? \` (\${code})\` : '';
      return failure(\`request to \${url.origin} failed: \${error.message}\${suffix}\`, 'network', code);
    }
  }
}

/**
 * Sends \`GET url\`, with \`apiKey\` as a bearer token when set, reads the answer to its end, and resolves
 * once the connection is closed and the timer cleared, so nothing is left behind. Never rejects.
 *
 * @param config - the endpoint, the key and the timeout.
 * @param signals - each aborts the request (the service being disabled, the manager's own timeout).
 */
export function probe(
  config: Pick<${T}Config, 'url' | 'apiKey' | 'timeoutMs'>,
  signals: readonly (AbortSignal | undefined)[] = [],
): Promise<HealthCheckResult> {
  const url = new URL(config.url);
  const headers: Record<string, string> = {
    accept: 'application/json',
    connection: 'close',
    'user-agent': USER_AGENT,
  };
  if (config.apiKey) headers.authorization = \`Bearer \${config.apiKey}\`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const watched = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  let result: HealthCheckResult | undefined;
  const settle = (outcome: HealthCheckResult): void => {
    result ??= outcome;
  };
  const timer = setTimeout(() => {
    settle(failure(\`no response within \${config.timeoutMs} ms\`, 'timeout'));
    controller.abort();
  }, config.timeoutMs);
  for (const signal of watched) signal.addEventListener('abort', abort, { once: true });
  if (watched.some((signal) => signal.aborted)) controller.abort();

  return new Promise((resolve) => {
    const started = performance.now();
    const options = { method: 'GET', headers, agent: false, signal: controller.signal };
    const request = send(url, options, (response) => {
      const latencyMs = Math.round(performance.now() - started);
      const { statusCode = 0, statusMessage } = response;
      response.on('error', (error) => settle(fromError(error, url)));
      response.on('end', () => settle(fromStatus(statusCode, statusMessage, latencyMs)));
      response.resume();
    });
    request.on('error', (error) => {
      settle(controller.signal.aborted ? failure('check aborted', 'aborted') : fromError(error, url));
    });
    request.on('close', () => {
      clearTimeout(timer);
      for (const signal of watched) signal.removeEventListener('abort', abort);
      resolve(result ?? failure(\`request to \${url.origin} ended without a complete response\`, 'network'));
    });
    request.end();
  });
}
`,
  };
}

/** src/<id>.service.ts: the service class with its metadata and lifecycle. */
function serviceFile(spec: PluginSpec): ScaffoldFile {
  const { constantPrefix: C, typePrefix: T, className, serviceId, title } = spec;
  return {
    path: `src/${serviceId}.service.ts`,
    content: `/**
 * The ${title} service (id \`${serviceId}\`): its metadata, and a lifecycle whose health check
 * requests the configured endpoint.
 */
import { BaseService, type HealthCheckResult, Service, ServiceDeckError } from '@servicedeck/core';
${namedBindings('import', [`${C}_CONFIG_SCHEMA`, `${C}_MAX_TIMEOUT_MS`, `type ${T}Config`], './config.js')}
import { probe } from './probe.js';
import { ${C}_PLUGIN_VERSION } from './version.js';

/**
 * Watches one HTTP(S) endpoint: each health check sends \`GET url\`, with \`apiKey\` as a bearer token when
 * it is set, and expects a 2xx answer within \`timeoutMs\`. Configure it with at least \`url\`; see
 * {@link ${T}Config}.
 *
 * @example
 * \`\`\`ts
 * if (manager.isEnabled('${serviceId}')) {
 *   const endpoint = manager.getService<${className}>('${serviceId}').endpoint;
 * }
 * \`\`\`
 */
@Service({
  id: '${serviceId}',
  name: ${quote(title)},
  description: ${quote(spec.description)},
  type: '${spec.type}',
  version: ${C}_PLUGIN_VERSION,
  tags: ['http'],
  configSchema: ${C}_CONFIG_SCHEMA,
  // The manager waits a little longer than the longest timeoutMs, so the check reports its own timeout.
  healthCheck: { timeoutMs: ${C}_MAX_TIMEOUT_MS + 1_000 },
})
export class ${className} extends BaseService<${T}Config> {
  /** Aborts the checks in flight when the service is disabled; undefined while it is disabled. */
  private lifetime: AbortController | undefined;
  /** The checks in flight, which \`disable()\` waits for. */
  private readonly checks = new Set<Promise<HealthCheckResult>>();

  /** Whether the service is enabled, so that health checks reach the endpoint. */
  public get enabled(): boolean {
    return this.lifetime !== undefined;
  }

  /**
   * The configured endpoint, for the bot's own requests.
   *
   * @throws ServiceDeckError \`SD_ERR_SERVICE_NOT_RUNNING\` while the service is disabled.
   */
  public get endpoint(): URL {
    if (!this.lifetime) {
${callWithObject(
  '      ',
  'throw new ServiceDeckError(',
  ["'SD_ERR_SERVICE_NOT_RUNNING'", quote(`The ${title} service is disabled.`)],
  [`details: { serviceId: '${serviceId}' }`, "hint: 'Check manager.isEnabled(id) before using a service.'"],
)}
    }
    return new URL(this.config.url);
  }

  /** Lets health checks reach the endpoint. Needs a configuration with a \`url\`. */
  public override enable(): void {
    if (this.lifetime) return;
    if (!this.config.url) {
      throw new Error('not configured: url is required; updateConfig() must be called before enable()');
    }
    this.lifetime = new AbortController();
  }

  /** Aborts the checks in flight and waits until they are over. Safe after a failed start, and twice. */
  public override async disable(): Promise<void> {
    this.lifetime?.abort();
    this.lifetime = undefined;
    await Promise.all(this.checks);
  }

  /**
   * Requests \`url\` and reports what came back. Never throws: a failure is an \`error\` result whose message
   * says what happened (\`connection refused by 127.0.0.1:8080\`, \`no response within 5000 ms\`).
   *
   * @param signal - aborted by the manager when the check takes too long.
   */
  public override async healthCheck(signal?: AbortSignal): Promise<HealthCheckResult> {
    const lifetime = this.lifetime;
    if (!this.config.url) return { status: 'inactive', message: 'not configured: url is required' };
    if (!lifetime) return { status: 'inactive', message: 'disabled' };
    const check = probe(this.config, [lifetime.signal, signal]);
    this.checks.add(check);
    try {
      const result = await check;
      return lifetime.signal.aborted ? { status: 'inactive', message: 'disabled' } : result;
    } finally {
      this.checks.delete(check);
    }
  }
}
`,
  };
}

/** src/index.ts: the public API, explicit named exports. */
function indexFile(spec: PluginSpec): ScaffoldFile {
  const { constantPrefix: C, typePrefix: T, className, serviceId, packageName } = spec;
  const exports = [
    { from: './config.js', names: [`${C}_CONFIG_SCHEMA`, `${C}_MAX_TIMEOUT_MS`, `type ${T}Config`] },
    { from: `./${serviceId}.service.js`, names: [className] },
    { from: './version.js', names: [`${C}_PLUGIN_VERSION`] },
  ]
    .sort((a, b) => (a.from < b.from ? -1 : 1))
    .map(({ from, names }) => namedBindings('export', names, from))
    .join('\n');
  return {
    path: 'src/index.ts',
    content: `/**
 * \`${packageName}\`: a servicedeck plugin with one service, \`${serviceId}\`.
 * servicedeck discovers it through the \`servicedeck\` marker of this package's package.json.
 *
 * @packageDocumentation
 */

${exports}
`,
  };
}

/** Every source file of the package. */
export function sourceFiles(spec: PluginSpec): ScaffoldFile[] {
  return [versionFile(spec), configFile(spec), probeFile(spec), serviceFile(spec), indexFile(spec)];
}
