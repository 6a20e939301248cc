/**
 * The catalog as a table: one row per service with its status, type, version, enabled state and reason.
 */
import type { ServiceSummary } from '@servicedeck/core';
import { formatStatus, type Styler } from './style.js';
import { renderTable } from './table.js';

/** Renders services as the catalog table `servicedeck up` and `list` print. */
export function renderCatalog(services: readonly ServiceSummary[], style: Styler): string {
  if (services.length === 0)
    return 'No services found. Install a plugin package or configure service globs (see docs/plugin-authors.md).';
  const rows = services.map((s) => [
    s.id,
    s.name,
    s.type,
    s.version ?? '-',
    s.missing ? style('gray', 'missing') : s.enabled ? 'yes' : style('gray', 'no'),
    formatStatus(s.status, style),
    s.statusMessage ?? '',
  ]);
  return renderTable(['ID', 'NAME', 'TYPE', 'VERSION', 'ENABLED', 'STATUS', 'DETAIL'], rows, (head) =>
    style('bold', head),
  );
}
