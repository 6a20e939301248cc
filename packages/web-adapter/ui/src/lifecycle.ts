/** Enabling and disabling: fetch the dry-run plan, show every step, apply on confirmation. */
import { ApiError, api } from './api.js';
import type { AppContext } from './context.js';
import { openDialog } from './dialog.js';
import { h } from './dom.js';
import { statusLabel } from './format.js';
import { announce, showError, toast } from './notify.js';
import type { LifecycleAction, LifecycleResult } from './types.js';

const REFUSALS: Record<LifecycleAction, string> = {
  enable: 'SD_ERR_DEPENDENCIES_DISABLED',
  disable: 'SD_ERR_DEPENDENTS_ENABLED',
};

const verb = (action: LifecycleAction): string => (action === 'enable' ? 'Enable' : 'Disable');

function body(action: LifecycleAction, flag: boolean, dryRun: boolean): Record<string, boolean> {
  return { [action === 'enable' ? 'withDependencies' : 'cascade']: flag, dryRun };
}

/** Runs the whole flow for `id`; `button` is disabled meanwhile. Resolves true when something was applied. */
export async function changeState(
  ctx: AppContext,
  id: string,
  action: LifecycleAction,
  button?: HTMLButtonElement,
): Promise<boolean> {
  const nameOf = (serviceId: string): string => ctx.store.services.get(serviceId)?.name ?? serviceId;
  const path = `/api/services/${encodeURIComponent(id)}/${action}`;
  if (button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
  try {
    let flag = false;
    let plan: LifecycleResult | undefined;
    while (!plan) {
      try {
        plan = await api.post<LifecycleResult>(path, body(action, flag, true));
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409 || error.code !== REFUSALS[action] || flag)
          throw error;
        const choice = await openDialog({
          title:
            action === 'enable'
              ? `${nameOf(id)} needs disabled services`
              : `Services depend on ${nameOf(id)}`,
          testid: 'plan-refused-dialog',
          body: [
            h('p', null, error.info.message),
            error.info.hint ? h('p', { class: 'muted' }, error.info.hint) : null,
          ],
          actions: [
            { label: 'Cancel', value: 'cancel', kind: 'secondary' },
            {
              label: action === 'enable' ? 'Enable with its dependencies…' : 'Disable with its dependents…',
              value: 'retry',
              kind: 'primary',
              testid: 'plan-retry',
            },
          ],
        });
        if (choice !== 'retry') return false;
        flag = true;
      }
    }
    const steps = plan.plan.steps;
    const list =
      steps.length === 0
        ? h('p', null, `Nothing to do: ${nameOf(id)} is already ${action}d.`)
        : h(
            'ol',
            { class: 'plan-steps', 'data-testid': 'plan-steps' },
            steps.map((step) => {
              const service = ctx.store.services.get(step.serviceId);
              return h(
                'li',
                { 'data-testid': `plan-step-${step.serviceId}` },
                h('strong', null, `${verb(step.action)} ${nameOf(step.serviceId)}`),
                ` (${step.serviceId})`,
                service
                  ? h(
                      'span',
                      { class: 'muted' },
                      ` — now ${statusLabel(service.status).text.toLowerCase()}, ${service.enabled ? 'enabled' : 'disabled'}`,
                    )
                  : null,
              );
            }),
          );
    const choice = await openDialog({
      title: `${verb(action)} ${nameOf(id)}?`,
      testid: 'plan-dialog',
      body: [
        steps.length > 0
          ? h(
              'p',
              null,
              steps.length === 1
                ? 'This step will run:'
                : `These ${steps.length} steps will run, in this order:`,
            )
          : null,
        list,
      ],
      actions: [
        { label: 'Cancel', value: 'cancel', kind: 'secondary' },
        {
          label: steps.length > 1 ? `${verb(action)} ${steps.length} services` : verb(action),
          value: 'confirm',
          kind: action === 'disable' ? 'danger' : 'primary',
          testid: 'plan-confirm',
        },
      ],
    });
    if (choice !== 'confirm' || steps.length === 0) return false;
    const result = await api.post<LifecycleResult>(path, body(action, flag, false));
    await ctx.reloadServices();
    const failed = result.outcomes.filter((o) => o.result === 'failed');
    if (failed.length > 0) {
      toast(
        `${verb(action)} ${nameOf(id)}: ${failed.length} of ${result.outcomes.length} steps failed`,
        'error',
        failed.map((o) => `${nameOf(o.serviceId)}: ${o.message ?? 'failed'}`).join(' · '),
      );
    } else {
      const where = result.applied === 'recorded' ? ' (recorded; the process running it applies it)' : '';
      const text = `${action === 'enable' ? 'Enabled' : 'Disabled'} ${result.outcomes.map((o) => nameOf(o.serviceId)).join(', ')}${where}.`;
      toast(text, 'success');
      announce(text);
    }
    return true;
  } catch (error) {
    showError(error, `Could not ${action} ${nameOf(id)}`);
    return false;
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
      // The dialog could not give focus back to the button while it was disabled.
      if (
        button.isConnected &&
        (document.activeElement === document.body || document.activeElement === null)
      ) {
        button.focus();
      }
    }
  }
}
