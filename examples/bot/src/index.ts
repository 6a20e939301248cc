/**
 * The example bot: how a bot starts servicedeck and writes services of its own.
 *
 * @packageDocumentation
 */
export { type Bot, type BotOptions, shutdownOnSignals, startBot } from './bot.js';
export {
  type NewReminder,
  type Reminder,
  type RemindersConfig,
  RemindersService,
} from './services/reminders.service.js';
