/** Reloading a service's code: post the reload, show progress, then what happened (a toast). */
import { api } from './api.js';
import type { AppContext } from './context.js';
import { reloadSummary } from './format.js';
import { announce, showError, toast } from './notify.js';
import type { ReloadResult } from './types.js';

/** The services whose reload this page has sent and not yet had answered. */
const reloading = new Set<string>();

/** Whether a reload of `id` sent from this page is still under way. */
export function isReloading(id: string): boolean {
  return reloading.has(id);
}

/**
 * Reloads `id`; `button` is disabled and says so meanwhile. A failed reload (the previous version keeps
 * running) and a refusal (e.g. a service registered in code: 409) are shown as errors. Resolves with the
 * result, or undefined when the reload was refused or could not be sent.
 */
export async function reloadService(
  ctx: AppContext,
  id: string,
  button?: HTMLButtonElement,
): Promise<ReloadResult | undefined> {
  // One at a time per service: a page redrawn by the live stream meanwhile shows its button busy.
  if (reloading.has(id)) return undefined;
  reloading.add(id);
  const nameOf = (serviceId: string): string => ctx.store.services.get(serviceId)?.name ?? serviceId;
  const label = button?.textContent ?? null;
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.textContent = 'Reloading…';
  }
  announce(`Reloading ${nameOf(id)}…`);
  try {
    const result = await api.post<ReloadResult>(`/api/services/${encodeURIComponent(id)}/reload`, {});
    await ctx.reloadServices();
    const summary = reloadSummary(result, nameOf);
    toast(summary.message, summary.kind, summary.hint);
    announce(summary.message);
    return result;
  } catch (error) {
    showError(error, `Could not reload ${nameOf(id)}`);
    return undefined;
  } finally {
    reloading.delete(id);
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      if (label !== null) button.textContent = label;
    }
  }
}
