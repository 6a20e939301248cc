/**
 * The README of a generated plugin: what it is, how a bot installs and configures it, its health
 * messages, and how to develop it.
 */
import { envVarName } from '@servicedeck/core';
import { SERVICE_GLOB } from './package.js';
import { MAX_TIMEOUT_MS } from './source.js';
import type { PluginSpec, ScaffoldFile } from './spec.js';

/** README.md. */
export function readmeFile(spec: PluginSpec): ScaffoldFile {
  const { packageName, serviceId, className, constantPrefix: C, title, type } = spec;
  return {
    path: 'README.md',
    content: `# ${packageName}

${spec.description}

A servicedeck plugin with one service:

| Metadata | Value |
| -------- | ----- |
| id | \`${serviceId}\` |
| name | ${title} |
| type | \`${type}\` |
| version | the package version (\`${C}_PLUGIN_VERSION\`) |
| class | \`${className}\` (in \`dist/${serviceId}.service.js\`) |

## Install

Add it to the bot's dependencies:

\`\`\`sh
npm install ${packageName}
\`\`\`

That is all servicedeck needs. At start, discovery reads the bot's \`package.json\`, finds this package
through the \`"servicedeck": { "services": ["${SERVICE_GLOB}"] }\` marker in its \`package.json\`, and
imports \`dist/${serviceId}.service.js\`. The service is in the catalog from then on (\`servicedeck list\`),
and starts once it has a \`url\`.

## Configuration

Core validates the configuration against the service's JSON Schema (2020-12) and applies its defaults
before the service sees it. An unknown key is refused.

| Key | Type | Default | Meaning |
| --- | ---- | ------- | ------- |
| \`url\` | string, \`http(s)://\` URI | — | **Required.** The endpoint that health checks request. |
| \`apiKey\` | string | none | Sent as \`authorization: Bearer <apiKey>\`. Marked \`"x-secret": true\`: encrypted at rest, shown as \`••••••\`. |
| \`timeoutMs\` | integer 100–${MAX_TIMEOUT_MS} | \`5000\` | Milliseconds a health check waits for the endpoint. |

Without a \`url\` the service is \`inactive\` with the status message \`not configured: url is required\`.

\`\`\`sh
servicedeck config set ${serviceId} url=https://api.example.com/health timeoutMs=2000
printf '%s' "$API_KEY" | servicedeck config set ${serviceId} apiKey --stdin
\`\`\`

Environment variables override stored values: \`${envVarName(serviceId, 'url')}\`,
\`${envVarName(serviceId, 'timeoutMs')}\`.

## Health messages

Each check sends \`GET url\` on a connection of its own, reads the answer to its end and closes the
connection. \`healthCheck()\` never throws; it returns one of these:

| Status | Message (examples) | Details |
| ------ | ------------------ | ------- |
| \`active\` | \`200 OK in 12 ms\` | \`{ statusCode, latencyMs }\` |
| \`error\` | \`authentication failed (401 Unauthorized)\` | \`{ statusCode, latencyMs }\` |
| \`error\` | \`unexpected 503 Service Unavailable\` | \`{ statusCode, latencyMs }\` |
| \`error\` | \`no response within 5000 ms\` | \`{ reason: 'timeout' }\` |
| \`error\` | \`connection refused by 127.0.0.1:8080\` | \`{ reason: 'connection-refused', code: 'ECONNREFUSED' }\` |
| \`error\` | \`connection closed by 10.0.0.5:443 before a complete response\` | \`{ reason: 'connection-reset', code }\` |
| \`error\` | \`DNS lookup failed for api.example.com (ENOTFOUND)\` | \`{ reason: 'dns', code }\` |
| \`error\` | \`request to https://api.example.com failed: …\` | \`{ reason: 'network', code? }\` |
| \`error\` | \`check aborted\` (the manager's own timeout ran out first) | \`{ reason: 'aborted' }\` |
| \`inactive\` | \`not configured: url is required\`, \`disabled\` | — |

## Using it from the bot

\`\`\`ts
import type { ${className} } from '${packageName}';

if (manager.isEnabled('${serviceId}')) {
  const endpoint = manager.getService<${className}>('${serviceId}').endpoint;
}
\`\`\`

\`endpoint\` throws a \`ServiceDeckError\` with code \`SD_ERR_SERVICE_NOT_RUNNING\` while the service is
disabled.

## Lifecycle

- \`updateConfig(config)\` stores the validated configuration; the next check uses it.
- \`enable()\` lets checks reach the endpoint. It throws \`not configured: url is required\` if it was never
  configured, which the manager never allows.
- \`disable()\` aborts the checks in flight and waits for them: no socket or timer is left behind. It is
  safe after a failed start, and twice.

## Developing

\`\`\`sh
npm install
npm test            # builds dist/, then runs test/*.test.mjs with node --test
npm run typecheck
\`\`\`

| File | What it holds |
| ---- | ------------- |
| \`src/${serviceId}.service.ts\` | \`${className}\`: the \`@Service()\` metadata and the lifecycle |
| \`src/config.ts\` | the configuration schema and its type |
| \`src/probe.ts\` | one health-check request and its outcome in words |
| \`src/version.ts\` | the version in the metadata (the tests keep it equal to package.json's) |
| \`src/index.ts\` | the public API |
| \`test/${serviceId}.service.test.mjs\` | the service against real servers, and the built package in a bot |

Only compiled files matching \`${SERVICE_GLOB}\` are loaded by discovery: keep every other module out
of \`*.service.ts\` files. Build before publishing or linking the package (\`npm pack\` builds it).

While working on it inside a bot, run \`npx tsc --watch\` here and \`servicedeck up --watch\` in the bot: each
build reloads the service without restarting the bot, and a build that breaks it keeps the previous
version running.
`,
  };
}
