import type { ServiceSummary } from '../../ui/src/types.js';

/** A service summary with sensible defaults. */
export function service(id: string, extra: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    id,
    name: extra.name ?? id[0]?.toUpperCase() + id.slice(1),
    description: '',
    type: 'internal',
    version: null,
    dependencies: [],
    tags: [],
    enabled: true,
    status: 'active',
    statusMessage: null,
    running: true,
    missing: false,
    source: null,
    lastHealthCheck: null,
    latencyMs: null,
    ...extra,
  };
}
