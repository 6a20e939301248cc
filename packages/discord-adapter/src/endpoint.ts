/**
 * HTTP interactions endpoint mode: Discord POSTs each interaction to a URL of the bot's; the request's
 * Ed25519 signature is checked with the application's public key (libsodium), PING is answered, and every
 * other interaction goes to the same handler as in gateway mode. The first answer is the HTTP response;
 * what follows (the result of a deferred answer, follow-ups) goes through Discord's REST API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, type Logger } from '@servicedeck/core';
import {
  type APIApplicationCommandInteractionDataOption,
  type APIInteraction,
  type APIMessageComponentInteraction,
  type APIModalSubmitInteraction,
  ApplicationCommandOptionType,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type REST,
  Routes,
} from 'discord.js';
import sodium from 'libsodium-wrappers';
import type { Invoker } from './access.js';
import type { Incoming, OptionValue, OutgoingMessage, Responder } from './interaction.js';

/** Options of an {@link InteractionsEndpoint}. */
export interface InteractionsEndpointOptions {
  /** The application's public key, hex, from the Developer Portal. */
  readonly publicKey: string;
  /** REST client for what follows the first answer (no token needed: interaction webhooks use theirs). */
  readonly rest: REST;
  readonly logger: Logger;
  /** Requests whose timestamp is further than this from now are refused as replays (default 300 s). */
  readonly maxSkewSeconds?: number;
  /** Largest body accepted (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

/** What the endpoint hands to the handler. */
export type InteractionSink = (incoming: Incoming, responder: Responder) => Promise<void>;

type Body = Record<string, unknown>;

function invokerOf(raw: APIInteraction): Invoker {
  const member = raw.member;
  const userId = member?.user.id ?? raw.user?.id ?? '';
  return {
    userId,
    guildId: raw.guild_id ?? null,
    roleIds: member?.roles ?? [],
    permissions: member?.permissions === undefined ? null : BigInt(member.permissions),
  };
}

function leafOptions(options: readonly APIApplicationCommandInteractionDataOption[] | undefined): {
  values: Record<string, OptionValue>;
  group: string | null;
  subcommand: string;
  focused: { name: string; value: string } | undefined;
} {
  const values: Record<string, OptionValue> = {};
  let group: string | null = null;
  let subcommand = '';
  let focused: { name: string; value: string } | undefined;
  const visit = (list: readonly APIApplicationCommandInteractionDataOption[] | undefined): void => {
    for (const option of list ?? []) {
      if (option.type === ApplicationCommandOptionType.SubcommandGroup) {
        group = option.name;
        visit(option.options);
      } else if (option.type === ApplicationCommandOptionType.Subcommand) {
        subcommand = option.name;
        visit(option.options);
      } else if ('value' in option) {
        values[option.name] = option.value;
        if ('focused' in option && option.focused)
          focused = { name: option.name, value: String(option.value) };
      }
    }
  };
  visit(options);
  return { values, group, subcommand, focused };
}

/** A raw interaction as the handler sees it, or undefined for kinds servicedeck does not answer. */
export function incomingFromPayload(raw: APIInteraction): Incoming | undefined {
  const invoker = invokerOf(raw);
  if (
    raw.type === InteractionType.ApplicationCommand ||
    raw.type === InteractionType.ApplicationCommandAutocomplete
  ) {
    const data = raw.data as { name: string; options?: APIApplicationCommandInteractionDataOption[] };
    const { values, group, subcommand, focused } = leafOptions(data.options);
    const common = { invoker, commandName: data.name, group, subcommand, options: values };
    if (raw.type === InteractionType.ApplicationCommand) return { kind: 'command', ...common };
    return { kind: 'autocomplete', ...common, focused: focused ?? { name: '', value: '' } };
  }
  if (raw.type === InteractionType.MessageComponent) {
    const data = (raw as APIMessageComponentInteraction).data;
    return {
      kind: 'component',
      invoker,
      customId: data.custom_id,
      values: data.component_type === ComponentType.StringSelect ? data.values : [],
    };
  }
  if (raw.type === InteractionType.ModalSubmit) {
    const data = (raw as APIModalSubmitInteraction).data;
    const fields: Record<string, string> = {};
    const visit = (components: readonly unknown[]): void => {
      for (const component of components as Body[]) {
        if (typeof component.custom_id === 'string' && typeof component.value === 'string') {
          fields[component.custom_id] = component.value;
        }
        if (Array.isArray(component.components)) visit(component.components);
        if (component.component && typeof component.component === 'object') visit([component.component]);
      }
    };
    visit(data.components);
    return { kind: 'modal', invoker, customId: data.custom_id, fields };
  }
  return undefined;
}

function messageBody(message: OutgoingMessage, withFlags: boolean): Body {
  return {
    ...(message.content === undefined ? {} : { content: message.content }),
    ...(message.embeds === undefined ? {} : { embeds: message.embeds }),
    ...(message.components === undefined ? {} : { components: message.components }),
    ...(withFlags && message.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The interactions endpoint: a Node.js request handler to mount at the URL set in the Developer Portal. */
export class InteractionsEndpoint {
  private readonly publicKey: Uint8Array;
  private readonly maxSkewMs: number;
  private readonly maxBodyBytes: number;

  private constructor(
    private readonly sink: InteractionSink,
    private readonly options: InteractionsEndpointOptions,
  ) {
    if (!/^[0-9a-f]{64}$/i.test(options.publicKey)) {
      throw new TypeError(
        'The public key must be the 64 hexadecimal characters shown as "Public Key" in the Developer Portal.',
      );
    }
    this.publicKey = sodium.from_hex(options.publicKey);
    this.maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  }

  /** An endpoint, once libsodium is ready. */
  public static async create(
    sink: InteractionSink,
    options: InteractionsEndpointOptions,
  ): Promise<InteractionsEndpoint> {
    await sodium.ready;
    return new InteractionsEndpoint(sink, options);
  }

  /** Whether `signature` (hex) signs `timestamp` + `body` with the application's key. */
  public verify(signature: string | undefined, timestamp: string | undefined, body: Buffer): boolean {
    if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,15}$/.test(timestamp))
      return false;
    if (Math.abs(Date.now() - Number(timestamp) * 1000) > this.maxSkewMs) return false;
    const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), body]);
    return sodium.crypto_sign_verify_detached(sodium.from_hex(signature), message, this.publicKey);
  }

  /** Handles one HTTP request (mount it with `http.createServer(endpoint.listener)` or in a framework). */
  public readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    this.serve(request, response).catch((error: unknown) => {
      this.options.logger.error('interactions endpoint failed', { error: describeError(error) });
      if (!response.headersSent) send(response, 500, { error: 'internal error' });
    });
  };

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      send(response, 405, { error: 'Discord sends interactions with POST.' });
      return;
    }
    const body = await readBody(request, this.maxBodyBytes);
    if (!body) {
      send(response, 413, { error: 'request body too large' });
      return;
    }
    const signature = header(request, 'x-signature-ed25519');
    const timestamp = header(request, 'x-signature-timestamp');
    if (!this.verify(signature, timestamp, body)) {
      send(response, 401, { error: 'invalid request signature' });
      return;
    }
    let raw: APIInteraction;
    try {
      raw = JSON.parse(body.toString('utf8')) as APIInteraction;
    } catch {
      send(response, 400, { error: 'the body is not JSON' });
      return;
    }
    if (raw.type === InteractionType.Ping) {
      send(response, 200, { type: InteractionResponseType.Pong });
      return;
    }
    const incoming = incomingFromPayload(raw);
    if (!incoming) {
      send(response, 400, { error: `interaction type ${String(raw.type)} is not handled here` });
      return;
    }
    await this.dispatch(raw, incoming, response);
  }

  private async dispatch(raw: APIInteraction, incoming: Incoming, response: ServerResponse): Promise<void> {
    const { rest } = this.options;
    let answer: ((body: Body) => void) | undefined;
    const first = new Promise<Body>((resolve) => {
      answer = resolve;
    });
    let answered = false;
    const sent = first.then(
      (initial) =>
        new Promise<void>((resolve) => {
          response.once('finish', resolve);
          response.once('close', resolve);
          send(response, 200, initial);
        }),
    );
    const respond = async (body: Body): Promise<void> => {
      if (answered) throw new Error('This interaction was already answered.');
      answered = true;
      answer?.(body);
      await sent;
    };
    const original = Routes.webhookMessage(raw.application_id, raw.token, '@original');
    const responder: Responder = {
      reply: (message) =>
        respond({ type: InteractionResponseType.ChannelMessageWithSource, data: messageBody(message, true) }),
      defer: (ephemeral) =>
        respond({
          type: InteractionResponseType.DeferredChannelMessageWithSource,
          ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}),
        }),
      update: (message) =>
        respond({ type: InteractionResponseType.UpdateMessage, data: messageBody(message, false) }),
      deferUpdate: () => respond({ type: InteractionResponseType.DeferredMessageUpdate }),
      edit: async (message) => {
        await sent;
        await rest.patch(original, { body: messageBody(message, false), auth: false });
      },
      followUp: async (message) => {
        await sent;
        await rest.post(Routes.webhook(raw.application_id, raw.token), {
          body: messageBody(message, true),
          auth: false,
        });
      },
      choices: (choices) =>
        respond({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } }),
      modal: (modal) => respond({ type: InteractionResponseType.Modal, data: modal }),
    };
    const handled = this.sink(incoming, responder);
    await Promise.race([handled, first]);
    if (!answered) {
      await handled;
      if (!answered) {
        this.options.logger.error('an interaction was left unanswered', { type: raw.type });
        send(response, 500, { error: 'the interaction was not answered' });
      }
    }
    await handled;
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
