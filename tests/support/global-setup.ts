/**
 * Runs once around the suite: fails fast under CI when PostgreSQL is missing, instead of failing every
 * database test one by one, and drops the test databases left by test processes that have ended.
 */
import { dropStaleTestDatabases, postgresUnavailable } from './databases.js';

export default async function setup(): Promise<() => Promise<void>> {
  const reason = await postgresUnavailable();
  if (reason && process.env.CI === 'true') {
    throw new Error(`${reason}. CI=true requires PostgreSQL; start it and run again.`);
  }
  if (reason) console.warn(`${reason}: PostgreSQL tests will be skipped.`);
  else await dropStaleTestDatabases();
  return async () => {
    if (!reason) await dropStaleTestDatabases();
  };
}
