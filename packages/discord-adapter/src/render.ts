/**
 * What the adapter shows: embeds and components built from the facade's results, each within Discord's
 * limits (see {@link fitEmbed}).
 */
import type {
  AuditEntry,
  ConfigVersionEntry,
  HealthCheckRecord,
  JsonValue,
  LifecyclePlan,
  LifecycleResult,
  ReloadResult,
  ReloadStage,
  ServiceConfigView,
  ServiceStatus,
  ServiceSummary,
  Uptime,
} from '@servicedeck/core';
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
} from 'discord.js';
import { type ComponentState, encodeCustomId } from './custom-id.js';
import { clip, fitEmbed, LIMITS } from './limits.js';

/** What a service shows as: its status, or `disabled` when its desired state is off. */
export type Shown = ServiceStatus | 'disabled' | 'missing';

/** Emoji and colour of each shown state. */
export const LOOK: Readonly<Record<Shown, { readonly emoji: string; readonly color: number }>> = {
  active: { emoji: '🟢', color: 0x2ecc71 },
  inactive: { emoji: '⚪', color: 0x95a5a6 },
  error: { emoji: '🔴', color: 0xe74c3c },
  unknown: { emoji: '🟡', color: 0xf1c40f },
  disabled: { emoji: '⚫', color: 0x4f545c },
  missing: { emoji: '❔', color: 0x4f545c },
};

/** How a service shows. */
export function shown(service: Pick<ServiceSummary, 'enabled' | 'status' | 'missing'>): Shown {
  if (service.missing) return 'missing';
  return service.enabled ? service.status : 'disabled';
}

/** Services per page of the list. */
export const PAGE_SIZE = 20;

type Row = APIActionRowComponent<APIComponentInMessageActionRow>;

const row = (...components: APIComponentInMessageActionRow[]): Row => ({
  type: ComponentType.ActionRow,
  components,
});

const button = (
  state: ComponentState,
  label: string,
  style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger,
  disabled = false,
): APIButtonComponent => ({
  type: ComponentType.Button,
  custom_id: encodeCustomId(state),
  label: clip(label, LIMITS.buttonLabel),
  style,
  ...(disabled ? { disabled: true } : {}),
});

/** A Discord timestamp that each reader sees in their own time zone (`R`: "3 minutes ago"). */
export function timestamp(date: Date, style: 'R' | 'f' | 'T' = 'R'): string {
  return `<t:${Math.floor(date.getTime() / 1000)}:${style}>`;
}

/** Markdown-safe inline code. */
export function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

/** A JSON value in one line. */
export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined) return '(unset)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A latency in whole milliseconds (`<1 ms` below one). */
export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1 ? '<1 ms' : `${Math.round(ms)} ms`;
}

/** Lines joined within `max` characters, ending with how many did not fit. */
export function linesWithin(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let length = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const rest = lines.length - i;
    const tail = `… and ${rest} more`;
    if (length + line.length + 1 + (rest > 1 ? tail.length + 1 : 0) > max) {
      out.push(tail);
      break;
    }
    out.push(line);
    length += line.length + 1;
  }
  return out.join('\n') || '\u200b';
}

/** The filters of a list page. */
export interface ListFilter {
  readonly type?: string;
  readonly status?: string;
}

/** The argument of a `page` custom id. */
export function pageArgument(page: number, filter: ListFilter): string {
  return `${page}.${filter.type ?? '-'}.${filter.status ?? '-'}`;
}

/** The page and filters in a `page` custom id's argument. */
export function parsePageArgument(argument: string): { page: number; filter: ListFilter } {
  const [page, type, status] = argument.split('.');
  const value = (part: string | undefined): string | undefined => (part && part !== '-' ? part : undefined);
  const number = Number.parseInt(page ?? '0', 10);
  return {
    page: Number.isFinite(number) ? number : 0,
    filter: {
      ...(value(type) ? { type: value(type) } : {}),
      ...(value(status) ? { status: value(status) } : {}),
    },
  };
}

/** One line of the list. */
function listLine(service: ServiceSummary): string {
  const look = LOOK[shown(service)];
  const latency = service.latencyMs === null ? '' : ` · ${formatLatency(service.latencyMs)}`;
  return clip(
    `${look.emoji} **${service.name}** ${code(service.id)} · ${service.type} · ${shown(service)}${latency}`,
    180,
  );
}

/** A page of the service list, with paging buttons and a menu to open one service. */
export function listPage(
  services: readonly ServiceSummary[],
  requestedPage: number,
  filter: ListFilter,
): { embeds: APIEmbed[]; components: Row[] } {
  const pages = Math.max(1, Math.ceil(services.length / PAGE_SIZE));
  const page = Math.min(Math.max(0, requestedPage), pages - 1);
  const slice = services.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const counts = new Map<Shown, number>();
  for (const s of services) counts.set(shown(s), (counts.get(shown(s)) ?? 0) + 1);
  const severity: Shown[] = ['error', 'unknown', 'missing', 'inactive', 'disabled', 'active'];
  const summary = [...counts]
    .sort(([a], [b]) => severity.indexOf(a) - severity.indexOf(b))
    .map(([state, n]) => `${LOOK[state].emoji} ${n} ${state}`)
    .join(' · ');
  const filters = [filter.type && `type ${filter.type}`, filter.status && `status ${filter.status}`].filter(
    Boolean,
  );
  const embed = fitEmbed({
    title: `Services${filters.length > 0 ? ` (${filters.join(', ')})` : ''}`,
    description:
      services.length === 0
        ? 'No service matches.'
        : `${summary}\n\n${linesWithin(slice.map(listLine), LIMITS.embedDescription - summary.length - 2)}`,
    color: LOOK[counts.has('error') ? 'error' : counts.has('unknown') ? 'unknown' : 'active'].color,
    footer: { text: `Page ${page + 1} of ${pages} · ${services.length} services` },
  });
  const components: Row[] = [];
  if (slice.length > 0) {
    components.push(
      row({
        type: ComponentType.StringSelect,
        custom_id: encodeCustomId({ action: 'open', service: '', argument: pageArgument(page, filter) }),
        placeholder: 'Open a service…',
        options: slice.slice(0, LIMITS.selectOptions).map((s) => ({
          label: clip(s.name, LIMITS.selectOptionText),
          value: s.id,
          description: clip(`${s.id} · ${shown(s)}`, LIMITS.selectOptionText),
          emoji: { name: LOOK[shown(s)].emoji },
        })),
      }),
    );
  }
  if (pages > 1) {
    components.push(
      row(
        button(
          { action: 'page', service: '', argument: pageArgument(page - 1, filter) },
          '◀ Previous',
          ButtonStyle.Secondary,
          page === 0,
        ),
        button(
          { action: 'page', service: '', argument: pageArgument(page, filter) },
          `↻ Page ${page + 1}/${pages}`,
          ButtonStyle.Secondary,
        ),
        button(
          { action: 'page', service: '', argument: pageArgument(page + 1, filter) },
          'Next ▶',
          ButtonStyle.Secondary,
          page >= pages - 1,
        ),
      ),
    );
  }
  return { embeds: [embed], components };
}

/** What the status view shows besides the summary. */
export interface StatusDetails {
  readonly uptime: Uptime;
  /** The services this one depends on, and those depending on it. */
  readonly dependencies: readonly ServiceSummary[];
  readonly dependents: readonly ServiceSummary[];
  /** The last check, with its cause. */
  readonly last?: HealthCheckRecord;
}

const mention = (services: readonly ServiceSummary[]): string =>
  services.length === 0 ? 'none' : services.map((s) => `${LOOK[shown(s)].emoji} ${code(s.id)}`).join(', ');

/** The uptime in words. */
export function formatUptime(uptime: Uptime): string {
  if (uptime.ratio === null) return 'no checks in the last 24 h';
  const percent = uptime.ratio === 1 ? '100' : (Math.floor(uptime.ratio * 1000) / 10).toFixed(1);
  return `${percent}% of ${uptime.checks} checks`;
}

/** One service: status and why, health, dependencies, uptime; buttons to act on it. */
export function statusView(
  service: ServiceSummary,
  details: StatusDetails,
): { embeds: APIEmbed[]; components: Row[] } {
  const state = shown(service);
  const fields: APIEmbedField[] = [
    { name: 'Status', value: `${LOOK[state].emoji} ${state}`, inline: true },
    { name: 'Type', value: service.type, inline: true },
    { name: 'Version', value: service.version ?? '—', inline: true },
    { name: 'Latency', value: formatLatency(service.latencyMs), inline: true },
    {
      name: 'Last check',
      value: service.lastHealthCheck ? timestamp(service.lastHealthCheck) : 'never',
      inline: true,
    },
    { name: 'Uptime (24 h)', value: formatUptime(details.uptime), inline: true },
  ];
  if (service.statusMessage) fields.push({ name: 'Why', value: service.statusMessage });
  if (details.last?.cause) {
    fields.push({ name: 'Root cause', value: `Its dependency ${code(details.last.cause)} is failing.` });
  }
  fields.push(
    { name: 'Depends on', value: mention(details.dependencies) },
    { name: 'Needed by', value: mention(details.dependents) },
  );
  if (service.tags.length > 0) fields.push({ name: 'Tags', value: service.tags.map(code).join(' ') });
  const embed = fitEmbed({
    title: `${LOOK[state].emoji} ${service.name}`,
    description: service.description || undefined,
    color: LOOK[state].color,
    fields,
    footer: { text: `${service.id}${service.source ? ` · ${service.source}` : ''}` },
  });
  const toggle = service.enabled
    ? button({ action: 'disable', service: service.id, argument: '-' }, 'Disable…', ButtonStyle.Danger)
    : button(
        { action: 'enable', service: service.id, argument: '-' },
        'Enable…',
        ButtonStyle.Success,
        service.missing,
      );
  return {
    embeds: [embed],
    components: [
      row(
        toggle,
        button({ action: 'check', service: service.id, argument: '-' }, 'Check now', ButtonStyle.Primary),
        button(
          { action: 'config', service: service.id, argument: '-' },
          'View config',
          ButtonStyle.Secondary,
        ),
      ),
    ],
  };
}

/** The plan of an enable or disable, and buttons to confirm or cancel. */
export function planView(
  plan: LifecyclePlan,
  option: 'deps' | 'cascade' | '-',
): { embeds: APIEmbed[]; components: Row[] } {
  const verb = plan.action;
  if (plan.steps.length === 0) {
    return {
      embeds: [
        fitEmbed({
          title: `Nothing to ${verb}`,
          description: `${code(plan.target)} is already ${verb}d.`,
          color: LOOK.inactive.color,
        }),
      ],
      components: [
        row(button({ action: 'cancel', service: plan.target, argument: '-' }, 'Back', ButtonStyle.Secondary)),
      ],
    };
  }
  const lines = plan.steps.map(
    (step, i) =>
      `${i + 1}. ${step.action} ${code(step.serviceId)}${step.serviceId === plan.target ? '' : ` (for ${code(plan.target)})`}`,
  );
  return {
    embeds: [
      fitEmbed({
        title: `${verb === 'enable' ? 'Enable' : 'Disable'} ${plan.target}?`,
        description: `This will, in order:\n${linesWithin(lines, 3500)}\n\nNothing changes until you confirm.`,
        color: verb === 'enable' ? LOOK.active.color : LOOK.error.color,
      }),
    ],
    components: [
      row(
        button(
          { action: verb === 'enable' ? 'enable!' : 'disable!', service: plan.target, argument: option },
          plan.steps.length === 1 ? `Yes, ${verb}` : `Yes, ${verb} ${plan.steps.length} services`,
          verb === 'enable' ? ButtonStyle.Success : ButtonStyle.Danger,
        ),
        button({ action: 'cancel', service: plan.target, argument: '-' }, 'Cancel', ButtonStyle.Secondary),
      ),
    ],
  };
}

/** What an enable or disable did to each service. */
export function lifecycleView(result: LifecycleResult): { embeds: APIEmbed[]; components: Row[] } {
  const failed = result.outcomes.filter((o) => o.result === 'failed');
  const lines = result.outcomes.map((o) => {
    const mark = o.result === 'ok' ? '✅' : '❌';
    const why = o.message ? ` — ${o.message}` : '';
    return clip(`${mark} ${o.action}d ${code(o.serviceId)}: ${LOOK[o.status].emoji} ${o.status}${why}`, 300);
  });
  const recorded =
    result.applied === 'recorded' ? '\n\nStored: the processes running the bot apply it within seconds.' : '';
  return {
    embeds: [
      fitEmbed({
        title:
          failed.length === 0
            ? `${result.plan.action === 'enable' ? 'Enabled' : 'Disabled'} ${result.plan.target}`
            : `${result.plan.action === 'enable' ? 'Enabling' : 'Disabling'} ${result.plan.target} partly failed`,
        description: `${linesWithin(lines, 3500)}${recorded}`,
        color: failed.length === 0 ? LOOK.active.color : LOOK.error.color,
      }),
    ],
    components: [
      row(
        button(
          { action: 'cancel', service: result.plan.target, argument: '-' },
          'Show status',
          ButtonStyle.Secondary,
        ),
      ),
    ],
  };
}

/** A duration in words: milliseconds below a second, else seconds with one decimal. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The step of a reload, in words. */
const RELOAD_STAGES: Record<ReloadStage, string> = {
  load: 'loading the new code',
  validate: 'checking the new code and the settings',
  start: 'starting the new version',
  health: "the new version's first health check",
  dependents: 'restarting or notifying the services that depend on it',
};

/** What a reload did, or why it failed and what still runs, with a button back to the service's status. */
export function reloadView(
  service: ServiceSummary,
  result: ReloadResult,
): { embeds: APIEmbed[]; components: Row[] } {
  const version = (v: string | null): string => (v === null ? '—' : code(v));
  const state = result.running ? result.status : shown(service);
  const fields: APIEmbedField[] = [
    {
      name: 'Version',
      value:
        result.result === 'ok' && result.previousVersion !== result.version
          ? `${version(result.previousVersion)} → ${version(result.version)}`
          : `${version(result.version)} (unchanged)`,
      inline: true,
    },
    { name: 'Status', value: `${LOOK[state].emoji} ${state}`, inline: true },
    { name: 'Took', value: formatDuration(result.durationMs), inline: true },
  ];
  // A failed reload's reason (the description) already says what runs now and why.
  if (result.message && result.status !== 'active' && result.result === 'ok')
    fields.push({ name: 'Why', value: result.message });
  if (result.dependents.length > 0) {
    const lines = result.dependents.map((d) =>
      clip(
        `${d.result === 'ok' ? '✅' : '❌'} ${d.action} ${code(d.serviceId)}${d.message ? ` — ${d.message}` : ''}`,
        300,
      ),
    );
    fields.push({ name: 'Dependents', value: linesWithin(lines, LIMITS.fieldValue) });
  }
  const footer = {
    text: `${service.id}${result.revision === null ? '' : ` · revision ${result.revision}`}`,
  };
  const components = [
    row(
      button({ action: 'cancel', service: service.id, argument: '-' }, 'Show status', ButtonStyle.Secondary),
    ),
  ];
  if (result.result === 'ok') {
    const description =
      result.applied === 'recorded'
        ? 'The new code was loaded and checked. Stored: the processes running the bot apply it within seconds.'
        : result.running
          ? 'The new code runs now.'
          : `It is not running${state === 'disabled' ? ' (disabled)' : ''}: the new code is used from its next start.`;
    return {
      embeds: [
        fitEmbed({
          title: `Reloaded ${service.name}`,
          description,
          color: LOOK.active.color,
          fields,
          footer,
        }),
      ],
      components,
    };
  }
  const stage = result.stage ?? 'load';
  const restoreFailed = result.rolledBack && !result.running;
  fields.unshift({ name: 'Failed at', value: `${code(stage)} (${RELOAD_STAGES[stage]})` });
  fields.push({
    name: 'Rolled back',
    value: result.rolledBack
      ? restoreFailed
        ? '⚠️ Yes, but the previous version did not start again.'
        : 'Yes: the previous version was started again.'
      : result.running
        ? 'No need: the previous version was never stopped.'
        : 'No: the service was not running.',
  });
  fields.push({
    name: 'What to do',
    value: restoreFailed
      ? 'Look at /services status: the service is not running. Fix the error and run /services reload again.'
      : result.running
        ? 'Fix the error and run /services reload again; the previous version keeps running.'
        : 'Fix the error and run /services reload again; the previous code stays in use.',
  });
  return {
    embeds: [
      fitEmbed({
        title: `Reload of ${service.name} failed`,
        description: result.error?.reason ?? result.message ?? 'The reload failed.',
        color: LOOK.error.color,
        fields,
        footer,
      }),
    ],
    components,
  };
}

/** The result of checking one service. */
export function healthView(service: ServiceSummary, record: HealthCheckRecord): APIEmbed {
  const fields: APIEmbedField[] = [
    { name: 'Result', value: `${LOOK[record.status].emoji} ${record.status}`, inline: true },
    {
      name: 'Latency',
      value: record.latencyMs === null ? 'not checked' : formatLatency(record.latencyMs),
      inline: true,
    },
    { name: 'Checked', value: timestamp(record.checkedAt), inline: true },
  ];
  if (record.message) fields.push({ name: 'Said', value: record.message });
  if (record.cause)
    fields.push({ name: 'Root cause', value: `Its dependency ${code(record.cause)} is failing.` });
  return fitEmbed({
    title: `${LOOK[record.status].emoji} ${service.name}: ${record.status}`,
    color: LOOK[record.status].color,
    fields,
    footer: { text: service.id },
  });
}

/** The results of checking every service: problems first, then a count of the healthy ones. */
export function healthSweepView(records: readonly HealthCheckRecord[]): APIEmbed {
  const order: Record<ServiceStatus, number> = { error: 0, unknown: 1, inactive: 2, active: 3 };
  const sorted = [...records].sort(
    (a, b) => order[a.status] - order[b.status] || (a.serviceId < b.serviceId ? -1 : 1),
  );
  const counts = new Map<ServiceStatus, number>();
  for (const r of records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = [...counts]
    .sort(([a], [b]) => order[a] - order[b])
    .map(([s, n]) => `${LOOK[s].emoji} ${n} ${s}`)
    .join(' · ');
  const lines = sorted
    .filter((r) => r.status !== 'active')
    .map((r) => {
      const why = r.cause ? `its dependency ${code(r.cause)} is failing` : (r.message ?? '');
      return clip(`${LOOK[r.status].emoji} ${code(r.serviceId)} ${r.status}${why ? ` — ${why}` : ''}`, 250);
    });
  const worst = sorted[0]?.status ?? 'active';
  return fitEmbed({
    title: `Health of ${records.length} services`,
    description: `${summary || 'No services.'}${lines.length > 0 ? `\n\n${linesWithin(lines, 3800)}` : '\n\nEvery service checked is healthy.'}`,
    color: LOOK[worst].color,
  });
}

const SOURCE_WORDS: Record<string, string> = {
  stored: 'stored',
  default: 'default',
  env: 'environment',
  unset: 'not set',
};

/** A service's settings: values (secrets hidden), where each comes from, and what is invalid. */
export function configView(service: ServiceSummary, view: ServiceConfigView): APIEmbed {
  const fields: APIEmbedField[] = view.fields.map((field) => {
    const from = field.source === 'env' ? `environment (${code(field.envVar)})` : SOURCE_WORDS[field.source];
    return {
      name: `${field.secret ? '🔒 ' : ''}${field.key}${field.required ? ' *' : ''}`,
      value: `${field.value === undefined ? '—' : code(clip(formatValue(field.value), 900))} · ${from}`,
    };
  });
  const notes: string[] = [`Version ${view.version}.`];
  if (!view.liveConfig) notes.push('Changes apply at the next start of the service.');
  if (view.pendingRestart) notes.push('A newer version waits for the next start.');
  if (view.problems.length > 0) {
    notes.push(`⚠️ ${view.problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`);
  }
  return fitEmbed({
    title: `Settings of ${service.name}`,
    description: `${notes.join(' ')}${view.fields.length === 0 ? '\nIt declares no settings.' : ''}`,
    color: view.problems.length > 0 ? LOOK.unknown.color : LOOK.active.color,
    fields,
    footer: { text: `${service.id} · * required · 🔒 secret, never shown` },
  });
}

/** Who acted, as Discord shows it: a mention for Discord users, the name otherwise. */
export function actorText(actor: string, adapter: string): string {
  return adapter === 'discord' && /^\d{15,21}$/.test(actor) ? `<@${actor}>` : `${actor} via ${adapter}`;
}

/** The versions of a service's settings, newest first. */
export function historyView(service: ServiceSummary, entries: readonly ConfigVersionEntry[]): APIEmbed {
  const lines = entries.map((entry) => {
    const changes = entry.changes
      .map((c) => `${c.key}: ${formatValue(c.from)} → ${formatValue(c.to)}`)
      .join('; ');
    return clip(
      `**v${entry.version}** ${timestamp(entry.createdAt)} by ${actorText(entry.actor, entry.adapter)}${changes ? ` — ${changes}` : ''}`,
      400,
    );
  });
  return fitEmbed({
    title: `Settings history of ${service.name}`,
    description: lines.length === 0 ? 'No settings were ever stored.' : linesWithin(lines, 4000),
    color: LOOK.active.color,
    footer: { text: `${service.id} · roll back with /services config rollback` },
  });
}

/** Audit entries, newest first. */
export function auditView(entries: readonly AuditEntry[], serviceId?: string): APIEmbed {
  const mark = { ok: '✅', failed: '❌', denied: '⛔' } as const;
  const lines = entries.map((entry) => {
    const reason = typeof entry.details.reason === 'string' ? ` — ${entry.details.reason}` : '';
    return clip(
      `${mark[entry.result]} ${timestamp(entry.at, 'f')} ${actorText(entry.actor, entry.adapter)}: ${entry.action}${entry.serviceId ? ` ${code(entry.serviceId)}` : ''}${reason}`,
      300,
    );
  });
  return fitEmbed({
    title: serviceId ? `Audit log of ${serviceId}` : 'Audit log',
    description: lines.length === 0 ? 'Nothing recorded yet.' : linesWithin(lines, 4000),
    color: LOOK.inactive.color,
  });
}

/** An error for the user: what went wrong and what to do. */
export function errorView(title: string, message: string, hint?: string): APIEmbed {
  return fitEmbed({
    title,
    description: message,
    color: LOOK.error.color,
    ...(hint ? { fields: [{ name: 'What to do', value: hint }] } : {}),
  });
}

/** A refusal or notice that is not an error of the system. */
export function noticeView(title: string, message: string): APIEmbed {
  return fitEmbed({ title, description: message, color: LOOK.unknown.color });
}
