/**
 * Answers `/services` commands, their autocompletes, buttons, select menus and forms. It calls only the
 * {@link ServiceRegistryManager} facade, checks who may do what before anything else, and turns every
 * error into a private answer that says what went wrong and what to do.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Actor,
  describeError,
  type ErrorCode,
  isServiceDeckError,
  type JsonValue,
  type Logger,
  type ServiceConfigView,
  type ServiceRegistryManager,
  type ServiceSummary,
} from '@servicedeck/core';
import {
  type APIApplicationCommandOptionChoice,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  TextInputStyle,
} from 'discord.js';
import type { AccessLevel, AccessPolicy, Invoker } from './access.js';
import { type ComponentState, decodeCustomId, encodeCustomId, isServiceDeckCustomId } from './custom-id.js';
import { COMMAND_NAME } from './definition.js';
import type { Incoming, OutgoingMessage, Responder } from './interaction.js';
import { clip, fitEmbed, LIMITS } from './limits.js';
import type { RateLimiter } from './rate-limit.js';
import {
  auditView,
  code,
  configView,
  errorView,
  formatValue,
  healthSweepView,
  healthView,
  historyView,
  type ListFilter,
  LOOK,
  lifecycleView,
  listPage,
  noticeView,
  parsePageArgument,
  planView,
  reloadView,
  shown,
  statusView,
  timestamp,
} from './render.js';

/** Kinds of rate-limited actions. */
export type RateBucket = 'manage' | 'health';

/** What an alert button asks of the alerts. */
export interface AlertActions {
  /** The alert message after `userId` acknowledged the alert of `serviceId`. */
  acknowledge(serviceId: string, userId: string): OutgoingMessage | undefined;
}

/** What the handler needs. */
export interface HandlerOptions {
  readonly access: AccessPolicy;
  readonly limiter: RateLimiter<RateBucket>;
  readonly logger: Logger;
  /** Milliseconds to wait for a result before answering "thinking…" and following up. */
  readonly deferAfterMs: number;
  /** Whether answers to commands are private to the user (default true). */
  readonly ephemeral: boolean;
  /** The alerts, for their buttons. */
  readonly alerts?: AlertActions;
}

/** Tracks whether an interaction was answered, so a late error becomes a follow-up. */
class Tracked implements Responder {
  public answered = false;
  public constructor(private readonly inner: Responder) {}
  private first<T>(call: () => Promise<T>): Promise<T> {
    this.answered = true;
    return call();
  }
  public reply(message: OutgoingMessage): Promise<void> {
    return this.first(() => this.inner.reply(message));
  }
  public defer(ephemeral: boolean): Promise<void> {
    return this.first(() => this.inner.defer(ephemeral));
  }
  public update(message: OutgoingMessage): Promise<void> {
    return this.first(() => this.inner.update(message));
  }
  public deferUpdate(): Promise<void> {
    return this.first(() => this.inner.deferUpdate());
  }
  public edit(message: OutgoingMessage): Promise<void> {
    return this.inner.edit(message);
  }
  public followUp(message: OutgoingMessage): Promise<void> {
    return this.inner.followUp(message);
  }
  public choices(choices: readonly APIApplicationCommandOptionChoice[]): Promise<void> {
    return this.first(() => this.inner.choices(choices));
  }
  public modal(modal: Parameters<Responder['modal']>[0]): Promise<void> {
    return this.first(() => this.inner.modal(modal));
  }
}

/** Hints that fit Discord better than the ones core gives for a terminal. */
const DISCORD_HINTS: Partial<Record<ErrorCode, string>> = {
  SD_ERR_SERVICE_NOT_FOUND:
    'Pick a service from the suggestions as you type, or see them all with /services list.',
  SD_ERR_DEPENDENCIES_DISABLED:
    'Enable them first, or run the command again with with-dependencies: True (or use the button below).',
  SD_ERR_DEPENDENTS_ENABLED:
    'Disable them first, or run the command again with cascade: True (or use the button below).',
  SD_ERR_CONFIG_CONFLICT:
    'Someone changed these settings meanwhile: look at /services config view and try again.',
  SD_ERR_CONFIG_VERSION_NOT_FOUND:
    'Pick a version from the suggestions as you type, or see them with /services config history.',
  SD_ERR_RELOAD_UNSUPPORTED:
    'Only services loaded from a file (a plugin package or a service glob) can be reloaded; the suggestions as you type list them. Restart the bot to load the new code of this one.',
};

/** A private message with one embed. */
const privately = (embed: APIEmbed, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  embeds: [embed],
  components: [],
  ephemeral: true,
  ...extra,
});

/** The error of a refused request: the user sees it privately, the log and audit get it. */
class Refusal extends Error {
  public constructor(
    public readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/** Answers the interactions of `/services` and of servicedeck's components. */
export class InteractionHandler {
  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly options: HandlerOptions,
  ) {}

  /** Whether an interaction is servicedeck's to answer. */
  public owns(incoming: Incoming): boolean {
    if (incoming.kind === 'command' || incoming.kind === 'autocomplete')
      return incoming.commandName === COMMAND_NAME;
    return isServiceDeckCustomId(incoming.customId);
  }

  /** Answers an interaction; never throws: every failure becomes a private answer and a log line. */
  public async handle(incoming: Incoming, responder: Responder): Promise<void> {
    const tracked = new Tracked(responder);
    try {
      switch (incoming.kind) {
        case 'command':
          await this.command(incoming, tracked);
          break;
        case 'autocomplete':
          await this.autocomplete(incoming, tracked);
          break;
        case 'component':
          await this.component(incoming, tracked);
          break;
        case 'modal':
          await this.modalSubmit(incoming, tracked);
          break;
      }
    } catch (error) {
      await this.fail(incoming, tracked, error);
    }
  }

  private async fail(incoming: Incoming, responder: Tracked, error: unknown): Promise<void> {
    if (incoming.kind === 'autocomplete') {
      this.options.logger.warn('autocomplete failed', { error: describeError(error) });
      if (!responder.answered) await responder.choices([]).catch(() => undefined);
      return;
    }
    const message = privately(this.errorEmbed(error));
    if (!(error instanceof Refusal) && !isServiceDeckError(error)) {
      this.options.logger.error('interaction failed', {
        error: describeError(error),
        user: incoming.invoker.userId,
      });
    }
    try {
      if (responder.answered) await responder.followUp(message);
      else await responder.reply(message);
    } catch (sendError) {
      this.options.logger.error('could not send an error to Discord', { error: describeError(sendError) });
    }
  }

  private errorEmbed(error: unknown): APIEmbed {
    if (error instanceof Refusal) return noticeView(error.title, error.message);
    if (isServiceDeckError(error)) {
      return errorView("That didn't work", error.reason, DISCORD_HINTS[error.code] ?? error.hint);
    }
    return errorView(
      'Something went wrong on the bot’s side',
      clip(describeError(error), 1000),
      'Try again in a moment. If it keeps happening, tell the bot owner: the error is in the bot’s log.',
    );
  }

  private actor(invoker: Invoker): Actor {
    return invoker.guildId
      ? { actor: invoker.userId, adapter: 'discord', origin: `guild:${invoker.guildId}` }
      : { actor: invoker.userId, adapter: 'discord' };
  }

  /** Refuses (and audits) unless the invoker may act at `level`. */
  private async allow(
    invoker: Invoker,
    level: AccessLevel,
    action: string,
    serviceId?: string,
  ): Promise<void> {
    const decision = this.options.access.check(invoker, level);
    if (decision.allowed) return;
    await this.manager
      .recordRefusal({
        ...this.actor(invoker),
        action,
        serviceId: serviceId ?? null,
        reason: decision.reason,
      })
      .catch((error: unknown) =>
        this.options.logger.error('could not audit a refusal', { error: describeError(error) }),
      );
    throw new Refusal('Not allowed', decision.reason);
  }

  /** Refuses unless the invoker's rate limit allows one more `bucket` action. */
  private limit(invoker: Invoker, bucket: RateBucket): void {
    const decision = this.options.limiter.take(bucket, invoker.userId);
    if (decision.allowed) return;
    const what = bucket === 'health' ? 'health checks' : 'changes';
    throw new Refusal(
      'Slow down',
      `You made too many ${what} in a short time. You can try again ${timestamp(new Date(Date.now() + decision.retryAfterMs))}.`,
    );
  }

  /**
   * Answers with what `work` produces: directly when it is quick, else "thinking…" first and the result as
   * an edit, so slow operations never make Discord say "interaction failed".
   */
  private async answer(
    responder: Responder,
    mode: 'reply' | 'update',
    ephemeral: boolean,
    work: () => Promise<OutgoingMessage>,
  ): Promise<void> {
    const pending = work().then(
      (message) => ({ message }),
      (error: unknown) => ({ error }),
    );
    const timer = new AbortController();
    const quick = await Promise.race([
      pending,
      sleep(this.options.deferAfterMs, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
    const settle = async (outcome: { message: OutgoingMessage } | { error: unknown }, deferred: boolean) => {
      const message = 'message' in outcome ? outcome.message : privately(this.errorEmbed(outcome.error));
      if ('error' in outcome && !(outcome.error instanceof Refusal) && !isServiceDeckError(outcome.error)) {
        this.options.logger.error('interaction failed', { error: describeError(outcome.error) });
      }
      if (deferred) await responder.edit(message);
      else if (mode === 'reply')
        await responder.reply({ ...message, ephemeral: message.ephemeral ?? ephemeral });
      else if ('error' in outcome) await responder.reply(message);
      else await responder.update(message);
    };
    if (quick) return settle(quick, false);
    if (mode === 'reply') await responder.defer(ephemeral);
    else await responder.deferUpdate();
    await settle(await pending, true);
  }

  private service(id: string): ServiceSummary {
    return this.manager.getServiceInfo(id);
  }

  // ── Commands ───────────────────────────────────────────────────────────────────────────────────────

  private async command(
    incoming: Extract<Incoming, { kind: 'command' }>,
    responder: Responder,
  ): Promise<void> {
    const { invoker, options } = incoming;
    const ephemeral = this.options.ephemeral;
    const serviceId = typeof options.service === 'string' ? options.service.trim() : undefined;
    const name = incoming.group ? `${incoming.group} ${incoming.subcommand}` : incoming.subcommand;
    switch (name) {
      case 'list': {
        await this.allow(invoker, 'read', 'list');
        const filter: ListFilter = {
          ...(typeof options.type === 'string' ? { type: options.type } : {}),
          ...(typeof options.status === 'string' ? { status: options.status } : {}),
        };
        await responder.reply({ ...(await this.listMessage(0, filter)), ephemeral });
        return;
      }
      case 'status': {
        await this.allow(invoker, 'read', 'status', serviceId);
        await this.answer(responder, 'reply', ephemeral, () => this.statusMessage(serviceId as string));
        return;
      }
      case 'enable':
      case 'disable': {
        await this.allow(invoker, 'manage', name, serviceId);
        const flag = name === 'enable' ? options['with-dependencies'] === true : options.cascade === true;
        await responder.reply({
          ...(await this.planMessage(name, serviceId as string, flag)),
          ephemeral: true,
        });
        return;
      }
      case 'reload': {
        await this.allow(invoker, 'manage', 'reload', serviceId);
        const service = this.service(serviceId as string);
        this.limit(invoker, 'manage');
        await this.answer(responder, 'reply', true, async () => {
          const result = await this.manager.reloadService(service.id, this.actor(invoker));
          return reloadView(this.service(service.id), result);
        });
        return;
      }
      case 'health': {
        await this.allow(invoker, 'read', 'health', serviceId);
        if (serviceId) this.service(serviceId);
        this.limit(invoker, 'health');
        await this.answer(responder, 'reply', ephemeral, async () => {
          if (!serviceId) {
            const records = await this.manager.checkAllHealth({ fresh: true });
            return { embeds: [healthSweepView([...records.values()])], components: [] };
          }
          const record = await this.manager.checkHealth(serviceId, { fresh: true });
          return { embeds: [healthView(this.service(serviceId), record)], components: [] };
        });
        return;
      }
      case 'config view': {
        await this.allow(invoker, 'manage', 'config.view', serviceId);
        await this.answer(responder, 'reply', true, () => this.configMessage(serviceId as string));
        return;
      }
      case 'config set':
        await this.configSet(invoker, serviceId as string, options, responder);
        return;
      case 'config history': {
        await this.allow(invoker, 'manage', 'config.history', serviceId);
        const service = this.service(serviceId as string);
        const entries = await this.manager.configHistory(service.id, 20);
        await responder.reply({ embeds: [historyView(service, entries)], components: [], ephemeral: true });
        return;
      }
      case 'config rollback': {
        await this.allow(invoker, 'manage', 'config.rollback', serviceId);
        const service = this.service(serviceId as string);
        this.limit(invoker, 'manage');
        const version = Number(options.version);
        await this.answer(responder, 'reply', true, async () => {
          const result = await this.manager.rollbackConfig(service.id, version, this.actor(invoker));
          return this.configResultMessage(
            service,
            result,
            `Rolled back to the settings of version ${version}`,
          );
        });
        return;
      }
      case 'audit': {
        await this.allow(invoker, 'manage', 'audit', serviceId);
        if (serviceId) this.service(serviceId);
        const entries = await this.manager.auditLog({ ...(serviceId ? { serviceId } : {}), limit: 25 });
        await responder.reply({ embeds: [auditView(entries, serviceId)], components: [], ephemeral: true });
        return;
      }
      default:
        throw new Refusal(
          'Unknown command',
          `This bot does not know /${COMMAND_NAME} ${name}. Its commands may be out of date: they refresh when the bot restarts.`,
        );
    }
  }

  private async listMessage(page: number, filter: ListFilter): Promise<OutgoingMessage> {
    const type = filter.type as ServiceSummary['type'] | undefined;
    const services = (await this.manager.listServices(type ? { type } : {})).filter(
      (s) => filter.status === undefined || shown(s) === filter.status,
    );
    return listPage(services, page, filter);
  }

  private async statusMessage(id: string): Promise<OutgoingMessage> {
    const service = this.service(id);
    const all = await this.manager.listServices();
    const byId = new Map(all.map((s) => [s.id, s]));
    const [uptime, history] = await Promise.all([this.manager.uptime(id), this.manager.healthHistory(id, 1)]);
    return statusView(service, {
      uptime,
      dependencies: service.dependencies.map(
        (dep) =>
          byId.get(dep) ??
          ({
            ...service,
            id: dep,
            name: dep,
            enabled: false,
            missing: true,
            dependencies: [],
          } as ServiceSummary),
      ),
      dependents: all.filter((s) => s.dependencies.includes(id)),
      ...(history[0] ? { last: history[0] } : {}),
    });
  }

  /** The dry-run plan of an enable or disable, or the refusal with a button to include the others. */
  private async planMessage(
    action: 'enable' | 'disable',
    id: string,
    flag: boolean,
  ): Promise<OutgoingMessage> {
    this.service(id);
    const option = flag ? (action === 'enable' ? 'deps' : 'cascade') : '-';
    try {
      const result =
        action === 'enable'
          ? await this.manager.enableService(id, {
              actor: '-',
              adapter: 'discord',
              dryRun: true,
              withDependencies: flag,
            })
          : await this.manager.disableService(id, {
              actor: '-',
              adapter: 'discord',
              dryRun: true,
              cascade: flag,
            });
      return planView(result.plan, option);
    } catch (error) {
      if (
        !isServiceDeckError(error, 'SD_ERR_DEPENDENCIES_DISABLED') &&
        !isServiceDeckError(error, 'SD_ERR_DEPENDENTS_ENABLED')
      ) {
        throw error;
      }
      const include: ComponentState =
        action === 'enable'
          ? { action: 'enable', service: id, argument: 'deps' }
          : { action: 'disable', service: id, argument: 'cascade' };
      return privately(this.errorEmbed(error), {
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.Button,
                style: action === 'enable' ? ButtonStyle.Success : ButtonStyle.Danger,
                custom_id: encodeCustomId(include),
                label: action === 'enable' ? 'Enable with its dependencies…' : 'Disable with its dependents…',
              },
              {
                type: ComponentType.Button,
                style: ButtonStyle.Secondary,
                custom_id: encodeCustomId({ action: 'cancel', service: id, argument: '-' }),
                label: 'Cancel',
              },
            ],
          },
        ],
      });
    }
  }

  private async configMessage(id: string): Promise<OutgoingMessage> {
    const service = this.service(id);
    return { embeds: [configView(service, await this.manager.getConfig(id))], components: [] };
  }

  private configResultMessage(
    service: ServiceSummary,
    result: Awaited<ReturnType<ServiceRegistryManager['updateConfig']>>,
    title: string,
  ): OutgoingMessage {
    const applied: Record<typeof result.applied, string> = {
      live: 'The running service applied it.',
      'next-start': 'It applies at the next start of the service.',
      stored: 'The service is not running: it is used when the service starts.',
      started: 'The service was waiting for this and has now started.',
      recorded: 'Stored: the processes running the bot apply it within seconds.',
      unchanged: 'Nothing changed: the settings already had these values.',
    };
    const lines = result.changes.map((c) => `${code(c.key)}: ${formatValue(c.from)} → ${formatValue(c.to)}`);
    return privately(
      fitEmbed({
        title:
          result.applied === 'unchanged'
            ? `No change to ${service.name}`
            : `${title} (version ${result.version})`,
        description: `${lines.join('\n')}${lines.length > 0 ? '\n\n' : ''}${applied[result.applied]}`,
        color: LOOK.active.color,
        footer: { text: service.id },
      }),
    );
  }

  private async configSet(
    invoker: Invoker,
    id: string,
    options: Readonly<Record<string, string | number | boolean>>,
    responder: Responder,
  ): Promise<void> {
    await this.allow(invoker, 'manage', 'config.update', id);
    const service = this.service(id);
    const view = await this.manager.getConfig(service.id);
    const key = String(options.key ?? '');
    const field = this.field(view, key);
    const complex = field.types.some((t) => t === 'object' || t === 'array');
    if (options.value === undefined || complex) {
      await responder.modal(
        this.configModal(service, view, field, typeof options.value === 'string' ? options.value : undefined),
      );
      return;
    }
    this.limit(invoker, 'manage');
    const value = parseSetting(String(options.value), field.types, key);
    await this.answer(responder, 'reply', true, async () => {
      const result = await this.manager.updateConfig(service.id, { [key]: value }, this.actor(invoker));
      return this.configResultMessage(service, result, `Saved ${key} of ${service.name}`);
    });
  }

  private field(view: ServiceConfigView, key: string): ServiceConfigView['fields'][number] {
    const field = view.fields.find((f) => f.key === key);
    if (field) return field;
    const keys = view.fields.map((f) => f.key);
    throw new Refusal(
      'Unknown setting',
      keys.length === 0
        ? `${code(view.serviceId)} declares no settings.`
        : `${code(view.serviceId)} has no setting ${code(clip(key, 100))}. Its settings: ${keys.map(code).join(', ')}.`,
    );
  }

  /** The form for one setting; its custom id carries the version it was opened on, so edits never cross. */
  private configModal(
    service: ServiceSummary,
    view: ServiceConfigView,
    field: ServiceConfigView['fields'][number],
    typed: string | undefined,
  ): Parameters<Responder['modal']>[0] {
    const complex = field.types.some((t) => t === 'object' || t === 'array');
    const current =
      typed ??
      (field.secret || field.value === undefined || field.source !== 'stored'
        ? ''
        : complex
          ? JSON.stringify(field.value, null, 2)
          : formatValue(field.value));
    return {
      custom_id: encodeCustomId({
        action: 'set',
        service: service.id,
        argument: `${view.version}.${field.key}`,
      }),
      title: clip(`Set ${field.key}`, LIMITS.modalTitle),
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.TextInput,
              custom_id: 'value',
              label: clip(
                field.secret ? `${field.key} (secret, hidden after saving)` : field.key,
                LIMITS.textInputLabel,
              ),
              style: complex ? TextInputStyle.Paragraph : TextInputStyle.Short,
              required: false,
              max_length: LIMITS.textInputValue,
              placeholder: clip(
                complex
                  ? 'JSON, e.g. {"a": 1} or [1, 2]; empty removes the setting'
                  : (field.description ?? 'Empty removes the setting'),
                100,
              ),
              ...(current.length > 0 ? { value: clip(current, LIMITS.textInputValue) } : {}),
            },
          ],
        },
      ],
    };
  }

  // ── Autocomplete ───────────────────────────────────────────────────────────────────────────────────

  private async autocomplete(
    incoming: Extract<Incoming, { kind: 'autocomplete' }>,
    responder: Responder,
  ): Promise<void> {
    const { invoker, focused, options } = incoming;
    const typed = focused.value.trim().toLowerCase();
    if (focused.name === 'service') {
      if (!this.options.access.canRead(invoker)) return responder.choices([]);
      const reloading = incoming.group === null && incoming.subcommand === 'reload';
      const services = (await this.manager.listServices()).filter((s) => !reloading || this.reloadable(s.id));
      const rank = (s: ServiceSummary): number => {
        const id = s.id.toLowerCase();
        const name = s.name.toLowerCase();
        if (typed === '' || id.startsWith(typed)) return 0;
        if (name.startsWith(typed)) return 1;
        if (id.includes(typed) || name.includes(typed)) return 2;
        return 3;
      };
      const matches = services
        .map((s) => ({ s, r: rank(s) }))
        .filter((m) => m.r < 3)
        .sort((a, b) => a.r - b.r || (a.s.id < b.s.id ? -1 : 1))
        .slice(0, LIMITS.choices);
      return responder.choices(
        matches.map(({ s }) => ({
          name: clip(`${LOOK[shown(s)].emoji} ${s.name} (${s.id}) — ${shown(s)}`, LIMITS.choiceName),
          value: s.id,
        })),
      );
    }
    if (!this.options.access.canManage(invoker) || typeof options.service !== 'string')
      return responder.choices([]);
    const id = options.service;
    if (focused.name === 'key') {
      const view = await this.manager.getConfig(id);
      return responder.choices(
        view.fields
          .filter((f) => f.key.toLowerCase().includes(typed))
          .slice(0, LIMITS.choices)
          .map((f) => ({
            name: clip(
              `${f.key}${f.secret ? ' (secret)' : ''}${f.types.length > 0 ? ` · ${f.types.join('|')}` : ''}`,
              LIMITS.choiceName,
            ),
            value: clip(f.key, LIMITS.choiceValue),
          })),
      );
    }
    if (focused.name === 'version') {
      const history = await this.manager.configHistory(id, 50);
      return responder.choices(
        history
          .filter((entry) => typed === '' || String(entry.version).startsWith(typed))
          .slice(0, LIMITS.choices)
          .map((entry) => ({
            name: clip(
              `v${entry.version} · ${entry.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${entry.adapter}${entry.changes.length > 0 ? ` · ${entry.changes.map((c) => c.key).join(', ')}` : ''}`,
              LIMITS.choiceName,
            ),
            value: entry.version,
          })),
      );
    }
    return responder.choices([]);
  }

  /** Whether a service's code comes from a module file, so that /services reload can load it again. */
  private reloadable(id: string): boolean {
    try {
      this.manager.reloadableFile(id);
      return true;
    } catch {
      return false;
    }
  }

  // ── Components ─────────────────────────────────────────────────────────────────────────────────────

  private async component(
    incoming: Extract<Incoming, { kind: 'component' }>,
    responder: Responder,
  ): Promise<void> {
    const state = decodeCustomId(incoming.customId);
    if (!state) {
      throw new Refusal(
        'Out of date',
        'This button belongs to an older version of the bot. Run the command again.',
      );
    }
    const { invoker } = incoming;
    const id = state.service;
    switch (state.action) {
      case 'page': {
        await this.allow(invoker, 'read', 'list');
        const { page, filter } = parsePageArgument(state.argument);
        await responder.update(await this.listMessage(page, filter));
        return;
      }
      case 'open': {
        await this.allow(invoker, 'read', 'status');
        const chosen = incoming.values[0];
        if (!chosen) throw new Refusal('Nothing chosen', 'Choose a service in the menu.');
        await this.answer(responder, 'update', true, () => this.statusMessage(chosen));
        return;
      }
      case 'cancel': {
        await this.allow(invoker, 'read', 'status', id);
        await this.answer(responder, 'update', true, () => this.statusMessage(id));
        return;
      }
      case 'enable':
      case 'disable': {
        await this.allow(invoker, 'manage', state.action, id);
        const flag = state.argument === 'deps' || state.argument === 'cascade';
        await responder.update(await this.planMessage(state.action, id, flag));
        return;
      }
      case 'enable!':
      case 'disable!': {
        const action = state.action === 'enable!' ? 'enable' : 'disable';
        await this.allow(invoker, 'manage', action, id);
        this.service(id);
        this.limit(invoker, 'manage');
        await this.answer(responder, 'update', true, async () => {
          const actor = this.actor(invoker);
          const result =
            action === 'enable'
              ? await this.manager.enableService(id, {
                  ...actor,
                  withDependencies: state.argument === 'deps',
                })
              : await this.manager.disableService(id, { ...actor, cascade: state.argument === 'cascade' });
          return lifecycleView(result);
        });
        return;
      }
      case 'check': {
        await this.allow(invoker, 'read', 'health', id);
        this.service(id);
        this.limit(invoker, 'health');
        await this.answer(responder, 'update', true, async () => {
          await this.manager.checkHealth(id, { fresh: true });
          return this.statusMessage(id);
        });
        return;
      }
      case 'config': {
        await this.allow(invoker, 'manage', 'config.view', id);
        await this.answer(responder, 'reply', true, () => this.configMessage(id));
        return;
      }
      case 'ack': {
        await this.allow(invoker, 'read', 'alert.acknowledge', id);
        const message = this.options.alerts?.acknowledge(id, invoker.userId);
        if (!message) throw new Refusal('Already settled', 'This alert is no longer open.');
        await responder.update(message);
        return;
      }
      case 'alert-check': {
        await this.allow(invoker, 'read', 'health', id);
        const service = this.service(id);
        this.limit(invoker, 'health');
        await this.answer(responder, 'reply', true, async () => {
          const record = await this.manager.checkHealth(id, { fresh: true });
          return privately(healthView(service, record));
        });
        return;
      }
      case 'alert-disable': {
        await this.allow(invoker, 'manage', 'disable', id);
        await responder.reply({ ...(await this.planMessage('disable', id, false)), ephemeral: true });
        return;
      }
      default:
        throw new Refusal(
          'Out of date',
          'This button belongs to an older version of the bot. Run the command again.',
        );
    }
  }

  // ── Forms ──────────────────────────────────────────────────────────────────────────────────────────

  private async modalSubmit(
    incoming: Extract<Incoming, { kind: 'modal' }>,
    responder: Responder,
  ): Promise<void> {
    const state = decodeCustomId(incoming.customId);
    if (state?.action !== 'set') {
      throw new Refusal(
        'Out of date',
        'This form belongs to an older version of the bot. Run the command again.',
      );
    }
    const { invoker } = incoming;
    const dot = state.argument.indexOf('.');
    const expectedVersion = Number(state.argument.slice(0, dot));
    const key = state.argument.slice(dot + 1);
    await this.allow(invoker, 'manage', 'config.update', state.service);
    const service = this.service(state.service);
    const field = this.field(await this.manager.getConfig(service.id), key);
    this.limit(invoker, 'manage');
    const text = incoming.fields.value ?? '';
    const value: JsonValue = text.trim() === '' ? null : parseSetting(text, field.types, key);
    await this.answer(responder, 'reply', true, async () => {
      const result = await this.manager.updateConfig(
        service.id,
        { [key]: value },
        {
          ...this.actor(invoker),
          expectedVersion,
        },
      );
      return this.configResultMessage(service, result, `Saved ${key} of ${service.name}`);
    });
  }
}

/**
 * A setting's value from what the user typed: text as it is for string settings, JSON otherwise (falling
 * back to the text when it is not JSON and the setting takes text); `null` removes the setting.
 */
export function parseSetting(text: string, types: readonly string[], key: string): JsonValue {
  const trimmed = text.trim();
  if (trimmed === 'null') return null;
  const onlyText = types.length > 0 && types.every((t) => t === 'string' || t === 'null');
  if (onlyText) return text;
  try {
    return JSON.parse(trimmed) as JsonValue;
  } catch (error) {
    if (types.length === 0 || types.includes('string')) return text;
    throw new Refusal(
      'Not a valid value',
      `${code(key)} takes ${types.join(' or ')}, and ${code(clip(trimmed, 200))} is not valid JSON (${describeError(error)}). Type it as JSON, e.g. ${types.includes('object') ? '{"name": "value"}' : types.includes('array') ? '["a", "b"]' : types.includes('boolean') ? 'true' : '42'}.`,
    );
  }
}
