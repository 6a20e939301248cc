/**
 * Alerts: when a service fails or recovers, a message in the alert channel, with buttons to acknowledge,
 * check now or disable. A service that flaps gets one message edited with each change, not one message a
 * change; services failing because a dependency fails are folded into the alert of that root cause.
 */
import {
  describeError,
  type Logger,
  type ServiceRegistryManager,
  type ServiceStatus,
  type StatusChange,
} from '@servicedeck/core';
import { type APIEmbedField, ButtonStyle, ComponentType, type REST, Routes } from 'discord.js';
import { encodeCustomId } from './custom-id.js';
import type { AlertActions } from './handler.js';
import type { OutgoingMessage } from './interaction.js';
import { clip, fitEmbed } from './limits.js';
import { code, LOOK, linesWithin, timestamp } from './render.js';

/** Where and how alerts are posted. */
export interface AlertOptions {
  /** The channel alerts are posted in. */
  readonly channelId: string;
  /**
   * Milliseconds after a service's last change during which a new change edits its open alert instead of
   * posting another (default 15 minutes). Acknowledging closes the alert: the next change posts anew.
   */
  readonly flapWindowMs?: number;
}

interface Transition {
  readonly to: ServiceStatus;
  readonly message: string | null;
  readonly at: Date;
}

/** One alert message: a root service, its changes, and the dependents folded under it. */
interface Alert {
  readonly serviceId: string;
  messageId: string | undefined;
  status: ServiceStatus;
  readonly transitions: Transition[];
  /** Dependents failing because of this service, with their current status. */
  readonly folded: Map<string, ServiceStatus>;
  acknowledgedBy: string | undefined;
  lastChangeAt: number;
  /** An edit is waiting to be sent. */
  dirty: boolean;
}

/** Keeps the alert channel up to date with failures and recoveries. */
export class AlertChannel implements AlertActions {
  private readonly open = new Map<string, Alert>();
  private queue: Promise<void> = Promise.resolve();
  private readonly flapWindowMs: number;
  private readonly onChange = (change: StatusChange): void => this.record(change);
  private started = false;

  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly rest: REST,
    private readonly options: AlertOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.flapWindowMs = options.flapWindowMs ?? 15 * 60 * 1000;
  }

  /** Starts following status changes. */
  public start(): void {
    if (this.started) return;
    this.started = true;
    this.manager.events.on('statusChange', this.onChange);
  }

  /** Stops following status changes and waits for the messages being sent. */
  public async stop(): Promise<void> {
    this.manager.events.off('statusChange', this.onChange);
    this.started = false;
    await this.idle();
  }

  /** Resolves when every message being posted or edited is sent. */
  public async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  /** The open alert a service's change belongs to: its own, or the one of the root cause it is folded in. */
  private alertOf(serviceId: string): Alert | undefined {
    const own = this.open.get(serviceId);
    if (own) return own;
    for (const alert of this.open.values()) if (alert.folded.has(serviceId)) return alert;
    return undefined;
  }

  private fresh(alert: Alert): boolean {
    return alert.acknowledgedBy === undefined && this.now() - alert.lastChangeAt <= this.flapWindowMs;
  }

  private newAlert(serviceId: string, status: ServiceStatus): Alert {
    const alert: Alert = {
      serviceId,
      messageId: undefined,
      status,
      transitions: [],
      folded: new Map(),
      acknowledgedBy: undefined,
      lastChangeAt: this.now(),
      dirty: false,
    };
    this.open.set(serviceId, alert);
    return alert;
  }

  /** Takes one status change into the alerts. */
  private record(change: StatusChange): void {
    const failing = change.to === 'error';
    const recovering = change.from === 'error' && change.to !== 'error';
    if (!failing && !recovering) return;
    const existing = this.alertOf(change.service);
    const current = existing && this.fresh(existing) ? existing : undefined;
    if (current && current.serviceId !== change.service) {
      // A dependent of the root cause: folded into the root's alert.
      current.folded.set(change.service, change.to);
      current.lastChangeAt = this.now();
      this.flush(current);
      return;
    }
    if (!current && failing && change.cause) {
      const root = this.alertOf(change.cause);
      const rootAlert = root && this.fresh(root) ? root : this.newAlert(change.cause, 'error');
      rootAlert.folded.set(change.service, change.to);
      rootAlert.lastChangeAt = this.now();
      this.flush(rootAlert);
      return;
    }
    if (!current && !failing) return;
    const alert = current ?? this.newAlert(change.service, change.to);
    alert.status = change.to;
    alert.transitions.push({ to: change.to, message: change.message, at: change.at });
    alert.lastChangeAt = this.now();
    this.flush(alert);
  }

  /** Posts or edits an alert's message; changes arriving meanwhile are sent as one edit. */
  private flush(alert: Alert): void {
    if (alert.dirty) return;
    alert.dirty = true;
    this.queue = this.queue.then(async () => {
      alert.dirty = false;
      const body = this.render(alert);
      try {
        if (alert.messageId === undefined) {
          const message = (await this.rest.post(Routes.channelMessages(this.options.channelId), {
            body,
          })) as { id: string };
          alert.messageId = message.id;
        } else {
          await this.rest.patch(Routes.channelMessage(this.options.channelId, alert.messageId), { body });
        }
      } catch (error) {
        this.logger.error('could not post an alert', {
          service: alert.serviceId,
          channel: this.options.channelId,
          error: describeError(error),
        });
      }
    });
  }

  /** The alert message of a service. */
  private render(alert: Alert): {
    embeds: OutgoingMessage['embeds'];
    components: OutgoingMessage['components'];
  } {
    let name = alert.serviceId;
    try {
      name = this.manager.getServiceInfo(alert.serviceId).name;
    } catch {
      // A service gone from the catalog keeps its id as name.
    }
    const failing = alert.status === 'error' || [...alert.folded.values()].includes('error');
    const title = failing
      ? `${LOOK.error.emoji} ${name} is failing`
      : `${LOOK.active.emoji} ${name} recovered`;
    const last = alert.transitions[alert.transitions.length - 1];
    const fields: APIEmbedField[] = [];
    if (alert.transitions.length > 0) {
      const lines = alert.transitions
        .slice(-10)
        .reverse()
        .map((t) =>
          clip(
            `${LOOK[t.to].emoji} ${t.to} ${timestamp(t.at, 'T')}${t.message ? ` — ${t.message}` : ''}`,
            200,
          ),
        );
      const more = alert.transitions.length > 10 ? `\n(${alert.transitions.length} changes in all)` : '';
      fields.push({
        name: alert.transitions.length > 1 ? `Flapping: ${alert.transitions.length} changes` : 'Change',
        value: `${linesWithin(lines, 1000 - more.length)}${more}`,
      });
    }
    if (alert.folded.size > 0) {
      fields.push({
        name: `Also affected (root cause: ${alert.serviceId})`,
        value: linesWithin(
          [...alert.folded].map(([id, status]) => `${LOOK[status].emoji} ${code(id)} ${status}`),
          1000,
        ),
      });
    }
    if (alert.acknowledgedBy) fields.push({ name: 'Acknowledged', value: `by <@${alert.acknowledgedBy}>` });
    const embed = fitEmbed({
      title,
      description:
        last?.message ?? (alert.folded.size > 0 ? 'Services depending on it are failing.' : undefined),
      color: failing ? LOOK.error.color : LOOK.active.color,
      fields,
      footer: { text: `${alert.serviceId} · servicedeck alert` },
      timestamp: new Date(alert.lastChangeAt).toISOString(),
    });
    const button = (
      action: 'ack' | 'alert-check' | 'alert-disable',
      label: string,
      style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger,
      disabled = false,
    ) => ({
      type: ComponentType.Button as const,
      custom_id: encodeCustomId({ action, service: alert.serviceId, argument: '-' }),
      label,
      style,
      ...(disabled ? { disabled: true } : {}),
    });
    return {
      embeds: [embed],
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            button(
              'ack',
              alert.acknowledgedBy ? 'Acknowledged' : 'Acknowledge',
              ButtonStyle.Secondary,
              alert.acknowledgedBy !== undefined,
            ),
            button('alert-check', 'Check now', ButtonStyle.Primary),
            button('alert-disable', 'Disable…', ButtonStyle.Danger),
          ],
        },
      ],
    };
  }

  /** Marks an alert acknowledged (the next change posts a new one); its message as it should now read. */
  public acknowledge(serviceId: string, userId: string): OutgoingMessage | undefined {
    const alert = this.open.get(serviceId);
    if (!alert) return undefined;
    alert.acknowledgedBy = userId;
    this.open.delete(serviceId);
    this.logger.info('alert acknowledged', { service: serviceId, user: userId });
    return this.render(alert);
  }
}
