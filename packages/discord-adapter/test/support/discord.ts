/**
 * Discord, offline: a real discord.js `Client` that never logs in, its REST pointed at an undici
 * `MockAgent` (no network) that stands in for Discord's API, records every request and checks each body
 * against Discord's OpenAPI specification; and raw interaction payloads as Discord sends them.
 */
import { Client, ClientApplication, ClientUser, DiscordAPIError, REST } from 'discord.js';
import { MockAgent } from 'undici';
import { discordRequestProblems } from './discord-spec.js';

export const APPLICATION_ID = '100000000000000001';
export const BOT_USER_ID = '100000000000000001';
export const GUILD_ID = '200000000000000002';
export const CHANNEL_ID = '300000000000000003';
export const ADMIN_ID = '400000000000000004';
export const MEMBER_ID = '400000000000000005';
export const OWNER_ID = '400000000000000006';
export const MANAGER_ROLE = '500000000000000007';

/** Permission bits as Discord sends them. */
export const PERMISSIONS = {
  none: '0',
  manageGuild: (1n << 5n).toString(),
  administrator: (1n << 3n).toString(),
} as const;

/** A request the stand-in received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

interface StoredMessage {
  id: string;
  channel_id: string;
  author: {
    id: string;
    username: string;
    bot: boolean;
    discriminator: string;
    avatar: null;
    global_name: null;
  };
  [key: string]: unknown;
}

let snowflake = 900000000000000000n;
const nextId = (): string => (snowflake++).toString();

/** Discord's API as far as the adapter uses it. */
export class FakeDiscordApi {
  public readonly agent = new MockAgent();
  public readonly requests: RecordedRequest[] = [];
  /** Problems with request bodies (specification and the rules it leaves out); should stay empty. */
  public readonly problems: string[] = [];
  /** Commands registered, by scope (`global` or a guild id). */
  public readonly commands = new Map<string, Record<string, unknown>[]>();
  /** Channel messages by id. */
  public readonly messages = new Map<string, StoredMessage>();
  /** The application's owner as `GET /applications/@me` reports it. */
  public owner = { id: OWNER_ID, username: 'owner', discriminator: '0', avatar: null, global_name: null };

  public constructor() {
    this.agent.disableNetConnect();
    this.agent
      .get('https://discord.com')
      .intercept({ path: () => true, method: () => true })
      .reply((options) => {
        const body =
          typeof options.body === 'string' && options.body.length > 0 ? JSON.parse(options.body) : undefined;
        const request = { method: options.method, path: decodeURIComponent(options.path), body };
        this.requests.push(request);
        if (options.method !== 'GET' && options.method !== 'DELETE') {
          for (const problem of discordRequestProblems(request)) {
            if (!this.problems.includes(problem)) this.problems.push(problem);
          }
        }
        const path = decodeURIComponent(options.path.replace(/\?.*$/, '').replace(/^\/api\/v10/, ''));
        const [status, data] = this.answer(options.method, path, body);
        if (data === undefined) return { statusCode: status, data: '' };
        return {
          statusCode: status,
          data: JSON.stringify(data),
          responseOptions: { headers: { 'content-type': 'application/json' } },
        };
      })
      .persist();
  }

  private answer(method: string, path: string, body: Record<string, unknown>): [number, unknown] {
    let match = /^\/applications\/\d+(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (match) {
      const scope = match[1] ?? 'global';
      const list = this.commands.get(scope) ?? [];
      if (method === 'GET') return [200, list];
      const existing = list.findIndex((c) => c.name === body.name);
      const stored = {
        ...body,
        id: existing >= 0 ? (list[existing] as { id: string }).id : nextId(),
        application_id: APPLICATION_ID,
        version: nextId(),
        name_localizations: null,
        description_localizations: null,
        nsfw: false,
      };
      if (existing >= 0) list[existing] = stored;
      else list.push(stored);
      this.commands.set(scope, list);
      return [existing >= 0 ? 200 : 201, stored];
    }
    if (method === 'GET' && path === '/applications/@me') {
      return [
        200,
        {
          id: APPLICATION_ID,
          name: 'bot',
          icon: null,
          description: '',
          bot_public: true,
          bot_require_code_grant: false,
          verify_key: '0'.repeat(64),
          flags: 0,
          owner: this.owner,
          team: null,
        },
      ];
    }
    match = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(path);
    if (match) {
      const [, channel, messageId] = match as unknown as [string, string, string | undefined];
      if (method === 'GET') {
        return [200, [...this.messages.values()].filter((m) => m.channel_id === channel).reverse()];
      }
      if (method === 'POST') {
        const message = this.message(channel, body);
        this.messages.set(message.id, message);
        return [200, message];
      }
      const existing = messageId ? this.messages.get(messageId) : undefined;
      if (!existing) return [404, { message: 'Unknown Message', code: 10008 }];
      Object.assign(existing, body);
      return [200, existing];
    }
    if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return [204, undefined];
    if (/^\/webhooks\/\d+\/[^/]+(?:\/messages\/@original)?$/.test(path)) {
      return [200, this.message(CHANNEL_ID, body)];
    }
    return [404, { message: `No route ${method} ${path} in the stand-in`, code: 0 }];
  }

  private message(channel: string, body: Record<string, unknown>): StoredMessage {
    return { ...botMessage(nextId(), channel, new Date().toISOString()), ...body } as StoredMessage;
  }

  /** The requests to a path (matching a pattern), in order. */
  public to(pattern: RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => pattern.test(r.path) && (method === undefined || r.method === method));
  }

  /** The bodies of the interaction callbacks (the first answers), in order. */
  public callbacks(): Record<string, unknown>[] {
    return this.to(/\/interactions\/\d+\/[^/]+\/callback/).map((r) => r.body as Record<string, unknown>);
  }

  /** The bodies of edits and follow-ups of interaction answers, in order. */
  public webhookBodies(): RecordedRequest[] {
    return this.to(/\/webhooks\//);
  }

  /** A REST client talking to the stand-in. */
  public rest(): REST {
    const rest = new REST({ version: '10', retries: 0 }).setToken('test-token');
    rest.setAgent(this.agent);
    return rest;
  }

  /** A discord.js client talking to the stand-in; it never logs in. */
  public client(): Client {
    const client = new Client({ intents: [], rest: { retries: 0 } });
    client.token = 'test-token';
    client.rest.setToken('test-token');
    client.rest.setAgent(this.agent);
    return client;
  }

  /** The tokens clients logged in with, in order. */
  public readonly logins: string[] = [];

  /**
   * A client whose login does not open the gateway: it records the token and then either fails with
   * `failure` (destroying itself, as a real failed login does) or becomes ready as the bot user, as after
   * the gateway's READY. With `hang`, it never answers.
   */
  public loggingInClient(outcome: { failure?: unknown; hang?: boolean } = {}): Client {
    const client = this.client();
    client.token = null;
    client.login = async (token = '') => {
      this.logins.push(token);
      client.token = token;
      client.rest.setToken(token);
      if (outcome.hang) return new Promise<string>(() => undefined);
      if (outcome.failure !== undefined) {
        await client.destroy();
        throw outcome.failure;
      }
      const ready = client as unknown as {
        user: ClientUser;
        application: ClientApplication;
        ws: { triggerClientReady(): void };
      };
      ready.user = Reflect.construct(ClientUser, [
        client,
        { id: BOT_USER_ID, username: 'servicedeck', discriminator: '0', avatar: null, bot: true },
      ]);
      ready.application = Reflect.construct(ClientApplication, [client, { id: APPLICATION_ID, flags: 0 }]);
      ready.ws.triggerClientReady();
      return token;
    };
    return client;
  }

  public async close(): Promise<void> {
    await this.agent.close();
  }
}

/** What logging in with a token Discord does not accept fails with. */
export function refusedTokenError(): DiscordAPIError {
  return new DiscordAPIError(
    { message: '401: Unauthorized', code: 0 },
    0,
    401,
    'GET',
    'https://discord.com/api/v10/gateway/bot',
    {},
  );
}

/** Who sends an interaction. */
export interface Sender {
  readonly userId?: string;
  readonly roles?: readonly string[];
  readonly permissions?: string;
  /** Null for a direct message. */
  readonly guildId?: string | null;
}

let interactionSeq = 700000000000000000n;

function base(type: number, sender: Sender): Record<string, unknown> {
  const userId = sender.userId ?? ADMIN_ID;
  const user = {
    id: userId,
    username: `user${userId.slice(-2)}`,
    discriminator: '0',
    avatar: null,
    global_name: null,
  };
  const guildId = sender.guildId === undefined ? GUILD_ID : sender.guildId;
  const id = (interactionSeq++).toString();
  return {
    id,
    application_id: APPLICATION_ID,
    type,
    token: `token-${id}`,
    version: 1,
    channel_id: CHANNEL_ID,
    app_permissions: '0',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: {},
    ...(guildId === null
      ? { user, context: 1 }
      : {
          guild_id: guildId,
          guild_locale: 'en-US',
          context: 0,
          member: {
            user,
            roles: [...(sender.roles ?? [])],
            permissions: sender.permissions ?? PERMISSIONS.manageGuild,
            joined_at: '2024-01-01T00:00:00.000Z',
            deaf: false,
            mute: false,
            flags: 0,
          },
        }),
  };
}

type RawOption = { name: string; type: number; value?: unknown; focused?: boolean; options?: RawOption[] };

const OPTION_TYPES: Record<string, number> = { string: 3, number: 10, boolean: 5 };

function leaves(options: Record<string, string | number | boolean>, focused?: string): RawOption[] {
  return Object.entries(options).map(([name, value]) => ({
    name,
    type: name === 'version' ? 4 : (OPTION_TYPES[typeof value] as number),
    value,
    ...(name === focused ? { focused: true } : {}),
  }));
}

/** `/services <sub> [options]` or `/services config <sub> [options]` as Discord sends it. */
export function commandPayload(
  path: string,
  options: Record<string, string | number | boolean> = {},
  sender: Sender = {},
  focused?: string,
): Record<string, unknown> {
  const [first, second] = path.split(' ') as [string, string | undefined];
  const sub: RawOption = { name: second ?? first, type: 1, options: leaves(options, focused) };
  const top: RawOption[] = second ? [{ name: first, type: 2, options: [sub] }] : [sub];
  return {
    ...base(focused ? 4 : 2, sender),
    data: { id: '600000000000000001', name: 'services', type: 1, options: top },
  };
}

/** An autocomplete of `/services <path>` with `focused` being typed. */
export function autocompletePayload(
  path: string,
  options: Record<string, string | number | boolean>,
  focused: string,
  sender: Sender = {},
): Record<string, unknown> {
  return commandPayload(path, options, sender, focused);
}

/** A message of the bot, as Discord returns one. */
function botMessage(id: string, channel: string, timestamp: string): Record<string, unknown> {
  return {
    id,
    channel_id: channel,
    author: {
      id: BOT_USER_ID,
      username: 'bot',
      bot: true,
      discriminator: '0',
      avatar: null,
      global_name: null,
    },
    content: '',
    timestamp,
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
  };
}

/** The ephemeral message a component belongs to. */
function sourceMessage(): Record<string, unknown> {
  return {
    ...botMessage('800000000000000001', CHANNEL_ID, '2026-01-01T00:00:00.000Z'),
    flags: 64,
    components: [],
  };
}

/** A button press as Discord sends it. */
export function buttonPayload(customId: string, sender: Sender = {}): Record<string, unknown> {
  return { ...base(3, sender), message: sourceMessage(), data: { custom_id: customId, component_type: 2 } };
}

/** A select menu choice as Discord sends it. */
export function selectPayload(
  customId: string,
  values: string[],
  sender: Sender = {},
): Record<string, unknown> {
  return {
    ...base(3, sender),
    message: sourceMessage(),
    data: { custom_id: customId, component_type: 3, values },
  };
}

/** A form submitted, as Discord sends it. */
export function modalPayload(
  customId: string,
  fields: Record<string, string>,
  sender: Sender = {},
): Record<string, unknown> {
  return {
    ...base(5, sender),
    data: {
      custom_id: customId,
      components: Object.entries(fields).map(([id, value]) => ({
        type: 1,
        components: [{ type: 4, custom_id: id, value }],
      })),
    },
  };
}

/** Feeds a raw interaction to a client, as the gateway would. */
export function feed(client: Client, payload: Record<string, unknown>): void {
  (
    client as unknown as { actions: { InteractionCreate: { handle(data: unknown): void } } }
  ).actions.InteractionCreate.handle(payload);
}

/** The custom ids of a message's components, in order. */
export function customIds(message: unknown): string[] {
  const rows = (message as { components?: { components: { custom_id?: string }[] }[] }).components ?? [];
  return rows.flatMap((row) => row.components.map((c) => c.custom_id ?? ''));
}
