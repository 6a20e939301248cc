/**
 * The bot's entry point: `node dist/main.js`. Starts servicedeck and stops it on SIGINT or SIGTERM.
 * (A real bot would also log in to Discord here and hand `bot.manager` to its commands.)
 */
import { shutdownOnSignals, startBot } from './bot.js';

const bot = await startBot();
shutdownOnSignals(bot);
