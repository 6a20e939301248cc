/**
 * An interaction as the handlers see it, the same whether it came through the gateway (a discord.js
 * `Client`) or the HTTP interactions endpoint, and the ways to answer it.
 */
import type {
  APIActionRowComponent,
  APIApplicationCommandOptionChoice,
  APIComponentInMessageActionRow,
  APIEmbed,
  APIModalInteractionResponseCallbackData,
} from 'discord.js';
import type { Invoker } from './access.js';

/** A value of a command option. */
export type OptionValue = string | number | boolean;

/** What arrived. */
export type Incoming =
  | {
      readonly kind: 'command';
      readonly invoker: Invoker;
      readonly commandName: string;
      /** `config` for `/services config set`, else null. */
      readonly group: string | null;
      readonly subcommand: string;
      readonly options: Readonly<Record<string, OptionValue>>;
    }
  | {
      readonly kind: 'autocomplete';
      readonly invoker: Invoker;
      readonly commandName: string;
      readonly group: string | null;
      readonly subcommand: string;
      readonly options: Readonly<Record<string, OptionValue>>;
      /** The option being typed, and what was typed so far. */
      readonly focused: { readonly name: string; readonly value: string };
    }
  | {
      readonly kind: 'component';
      readonly invoker: Invoker;
      readonly customId: string;
      /** Selected values of a select menu. */
      readonly values: readonly string[];
    }
  | {
      readonly kind: 'modal';
      readonly invoker: Invoker;
      readonly customId: string;
      /** Text inputs by custom id. */
      readonly fields: Readonly<Record<string, string>>;
    };

/** A message to send or to edit into place. */
export interface OutgoingMessage {
  readonly content?: string;
  readonly embeds?: readonly APIEmbed[];
  readonly components?: readonly APIActionRowComponent<APIComponentInMessageActionRow>[];
  /** Only the user sees it (on a new message only). */
  readonly ephemeral?: boolean;
}

/** The ways to answer an interaction; the first call is the interaction's response. */
export interface Responder {
  /** Answers with a new message. */
  reply(message: OutgoingMessage): Promise<void>;
  /** Answers "thinking…"; the answer follows with {@link edit}. */
  defer(ephemeral: boolean): Promise<void>;
  /** Replaces the message a component belongs to. */
  update(message: OutgoingMessage): Promise<void>;
  /** Acknowledges a component, leaving its message as it is for now; {@link edit} replaces it later. */
  deferUpdate(): Promise<void>;
  /** Edits the answer (after {@link defer}) or the component's message (after {@link deferUpdate}). */
  edit(message: OutgoingMessage): Promise<void>;
  /** Sends another message after the first answer. */
  followUp(message: OutgoingMessage): Promise<void>;
  /** Answers an autocomplete. */
  choices(choices: readonly APIApplicationCommandOptionChoice[]): Promise<void>;
  /** Answers with a form. */
  modal(modal: APIModalInteractionResponseCallbackData): Promise<void>;
}
