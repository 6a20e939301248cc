/**
 * `servicedeck audit [id]`: the audit log, newest first: who did what to which service, through which
 * adapter, with what result.
 */
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { auditRow, renderAudit } from '../output/audit.js';
import { withManager } from '../runtime.js';

/** Options of `audit`. */
export interface AuditOptions {
  /** At most this many entries (default 50). */
  readonly limit?: number;
  /** Only this action (`enable`, `disable`, `config.update`, `config.rollback`, `keys.rotate`…). */
  readonly action?: string;
  /** Print a JSON array instead of the table. */
  readonly json?: boolean;
}

/** Prints the audit log (of `id` only, when given); exits 0. */
export async function audit(
  context: CommandContext,
  id: string | undefined,
  options: AuditOptions = {},
): Promise<number> {
  const entries = await withManager(context, (manager) =>
    manager.auditLog({
      ...(id === undefined ? {} : { serviceId: id }),
      ...(options.action === undefined ? {} : { action: options.action }),
      limit: options.limit ?? 50,
    }),
  );
  const rows = entries.map(auditRow);
  if (options.json) context.print(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) context.print('No audit entries match.');
  else context.print(renderAudit(rows, context.style));
  return EXIT.ok;
}
