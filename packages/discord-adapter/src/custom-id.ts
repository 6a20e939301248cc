/**
 * The state of a button or select menu, carried in its custom id so it keeps working after the bot
 * restarts: `sd1:<action>:<service>:<argument>`. Nothing is trusted: the action must be known, the service
 * is looked up again and the user's permission checked again when it is used.
 */
import { LIMITS } from './limits.js';

/** What a component does when used. */
export type ComponentAction =
  /** A page of the service list: argument `<page>.<type>.<status>` (`-` for no filter). */
  | 'page'
  /** The select menu that opens one service (its value is the service). */
  | 'open'
  /** Ask to enable (shows the plan): argument `deps` to enable disabled dependencies with it. */
  | 'enable'
  /** Ask to disable (shows the plan): argument `cascade` to disable enabled dependents first. */
  | 'disable'
  /** Confirmed enable: argument as for `enable`. */
  | 'enable!'
  /** Confirmed disable: argument as for `disable`. */
  | 'disable!'
  /** Back to the service's status without changing anything. */
  | 'cancel'
  /** Run a health check now. */
  | 'check'
  /** Show the service's configuration. */
  | 'config'
  /** Acknowledge an alert. */
  | 'ack'
  /** Check now from an alert (answers privately, leaves the alert as it is). */
  | 'alert-check'
  /** Ask to disable from an alert (answers privately with the plan). */
  | 'alert-disable'
  /** The form that sets one setting: argument `<version>.<key>`, the version it was opened on. */
  | 'set';

const ACTIONS = new Set<ComponentAction>([
  'page',
  'open',
  'enable',
  'disable',
  'enable!',
  'disable!',
  'cancel',
  'check',
  'config',
  'ack',
  'alert-check',
  'alert-disable',
  'set',
]);

const PREFIX = 'sd1';

/** A decoded custom id. */
export interface ComponentState {
  readonly action: ComponentAction;
  /** The service, or empty for the list. */
  readonly service: string;
  readonly argument: string;
}

/** The custom id of a component. */
export function encodeCustomId(state: ComponentState): string {
  const id = `${PREFIX}:${state.action}:${state.service}:${state.argument}`;
  if (id.length > LIMITS.customId)
    throw new RangeError(`custom id over ${LIMITS.customId} characters: ${id}`);
  return id;
}

/** The state in a custom id, or undefined when it is not one of servicedeck's (or is malformed). */
export function decodeCustomId(customId: string): ComponentState | undefined {
  const parts = customId.split(':');
  if (parts.length < 4 || parts[0] !== PREFIX) return undefined;
  const [, action = '', service = ''] = parts;
  const argument = parts.slice(3).join(':');
  if (!ACTIONS.has(action as ComponentAction)) return undefined;
  return { action: action as ComponentAction, service, argument };
}

/** Whether a custom id belongs to servicedeck (the bot's own components are left to the bot). */
export function isServiceDeckCustomId(customId: string): boolean {
  return customId.startsWith(`${PREFIX}:`);
}
