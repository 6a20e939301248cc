/**
 * A live status message: one message in a channel that edits itself as statuses change, at most once every
 * few seconds. After a restart it finds its message again (the newest of the bot's in the channel carrying
 * its footer) instead of posting another.
 */
import {
  describeError,
  type Logger,
  type ServiceRegistryManager,
  type ServiceSummary,
} from '@servicedeck/core';
import { DiscordAPIError, type REST, Routes } from 'discord.js';
import type { OutgoingMessage } from './interaction.js';
import { clip, fitEmbed } from './limits.js';
import { code, LOOK, linesWithin, type Shown, shown } from './render.js';

/** Where the live status message lives. */
export interface LiveStatusOptions {
  readonly channelId: string;
  /** The message to keep editing; found (or posted) in the channel when left out. */
  readonly messageId?: string;
  /** Milliseconds between edits at the most (default 5 000). */
  readonly minIntervalMs?: number;
}

/** The footer that marks the message as servicedeck's. */
export const LIVE_STATUS_MARK = 'servicedeck live status';

/** The live status message's content for a catalog. */
export function liveStatusMessage(services: readonly ServiceSummary[], at: Date): OutgoingMessage {
  const order: Record<Shown, number> = {
    error: 0,
    unknown: 1,
    missing: 2,
    inactive: 3,
    disabled: 4,
    active: 5,
  };
  const counts = new Map<Shown, number>();
  for (const s of services) counts.set(shown(s), (counts.get(shown(s)) ?? 0) + 1);
  const summary = [...counts]
    .sort(([a], [b]) => order[a] - order[b])
    .map(([state, n]) => `${LOOK[state].emoji} ${n} ${state}`)
    .join(' · ');
  const attention = services
    .filter((s) => ['error', 'unknown', 'missing'].includes(shown(s)))
    .sort((a, b) => order[shown(a)] - order[shown(b)] || (a.id < b.id ? -1 : 1))
    .map((s) =>
      clip(
        `${LOOK[shown(s)].emoji} ${code(s.id)} ${shown(s)}${s.statusMessage ? ` — ${s.statusMessage}` : ''}`,
        200,
      ),
    );
  const worst = counts.has('error') ? 'error' : counts.has('unknown') ? 'unknown' : 'active';
  return {
    embeds: [
      fitEmbed({
        title: 'Service status',
        description: `${summary || 'No services.'}\n\n${attention.length > 0 ? linesWithin(attention, 3500) : 'Every enabled service is healthy.'}`,
        color: LOOK[worst].color,
        footer: { text: LIVE_STATUS_MARK },
        timestamp: at.toISOString(),
      }),
    ],
    components: [],
  };
}

/** Keeps one message in a channel showing every service's status. */
export class LiveStatus {
  private messageId: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastEdit = 0;
  private running: Promise<void> = Promise.resolve();
  private readonly minIntervalMs: number;
  private readonly onChange = (): void => this.schedule();
  private stopped = false;

  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly rest: REST,
    private readonly options: LiveStatusOptions,
    private readonly logger: Logger,
    private readonly botUserId?: string,
  ) {
    this.messageId = options.messageId;
    this.minIntervalMs = options.minIntervalMs ?? 5000;
  }

  /** Finds or posts the message, shows the statuses now, then follows every change. */
  public async start(): Promise<void> {
    this.stopped = false;
    this.messageId ??= await this.find();
    this.manager.events.on('statusChange', this.onChange);
    await this.edit();
  }

  /** Stops editing (the message stays, showing the last statuses). */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.manager.events.off('statusChange', this.onChange);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async find(): Promise<string | undefined> {
    try {
      const recent = (await this.rest.get(Routes.channelMessages(this.options.channelId), {
        query: new URLSearchParams({ limit: '50' }),
      })) as {
        id: string;
        author?: { id: string; bot?: boolean };
        embeds?: { footer?: { text?: string } }[];
      }[];
      return recent.find(
        (m) =>
          m.author?.bot === true &&
          (this.botUserId === undefined || m.author.id === this.botUserId) &&
          m.embeds?.[0]?.footer?.text === LIVE_STATUS_MARK,
      )?.id;
    } catch (error) {
      this.logger.warn('could not look for the live status message', { error: describeError(error) });
      return undefined;
    }
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const wait = Math.max(0, this.lastEdit + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.edit());
    }, wait);
    this.timer.unref();
  }

  private async edit(): Promise<void> {
    this.lastEdit = Date.now();
    try {
      const body = liveStatusMessage(await this.manager.listServices(), new Date());
      if (this.messageId) {
        try {
          await this.rest.patch(Routes.channelMessage(this.options.channelId, this.messageId), { body });
          return;
        } catch (error) {
          // The message was deleted: post a new one.
          if (!(error instanceof DiscordAPIError && error.status === 404)) throw error;
        }
      }
      const message = (await this.rest.post(Routes.channelMessages(this.options.channelId), { body })) as {
        id: string;
      };
      this.messageId = message.id;
    } catch (error) {
      this.logger.error('could not update the live status message', {
        channel: this.options.channelId,
        error: describeError(error),
      });
    }
  }
}
