/**
 * Runs once before the suite: fails fast under CI when PostgreSQL is missing, instead of failing every
 * database test one by one.
 */
import { postgresUnavailable } from './databases.js';

export default async function setup(): Promise<void> {
  const reason = await postgresUnavailable();
  if (reason && process.env.CI === 'true')
    throw new Error(`${reason}. CI=true requires PostgreSQL; start it and run again.`);
  if (reason) console.warn(`${reason}: PostgreSQL tests will be skipped.`);
}
