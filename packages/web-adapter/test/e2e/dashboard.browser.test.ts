/**
 * The dashboard in a real browser: Debian's Chromium driven by Playwright, logging in through the
 * stand-in Discord, a service toggled in one page and seen live in another, a settings change refused
 * then accepted, a rollback, and a reload refused for a service registered in code. Screenshots are kept
 * in test-results/ as artifacts.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithDiscordLogin } from '../support/discord-oauth.js';

const CHROMIUM = '/usr/bin/chromium';
const UI_BUILT = existsSync(fileURLToPath(new URL('../../dist/ui/index.html', import.meta.url)));
const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing: run scripts/ensure-chromium.sh`
  : !UI_BUILT
    ? 'the web UI is not built: run pnpm build'
    : null;

describe('the dashboard in Chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (missing && process.env.CI === 'true') throw new Error(missing);
    if (missing) return;
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  it.skipIf(missing !== null && process.env.CI !== 'true')(
    'GIVEN a manager logged in with Discord THEN a toggle shows in a second page live, a bad setting is refused inline, a good one saved, a rollback restores it, and a reload of a service registered in code shows the refusal',
    { timeout: 120_000 },
    async () => {
      // As under servicedeck up: the change feed runs, so toggles and settings changes are streamed.
      const { w, discord, base } = await startWithDiscordLogin({ sync: true });
      discord.next = 'alice';
      const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const watch = (page: Page) => {
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
      };

      // Log in: the dashboard → Discord (the stand-in approves) → back, with a session.
      const first = await context.newPage();
      watch(first);
      await first.goto(`${base}/auth/discord/login`);
      await first.waitForURL(`${base}/`);
      await first.getByTestId('service-row-github').waitFor();
      await shot(first, 'overview');

      const second = await context.newPage();
      watch(second);
      await second.goto(`${base}/`);
      await second.getByTestId('service-row-github').waitFor();
      await expect.poll(() => second.getByTestId('connection-status').textContent()).toMatch(/live/i);

      // Disable GitHub in the first page: the plan comes first, then the change; the second page follows.
      await first.goto(`${base}/services/github`);
      // The service as each servicedeck process sees it: one process here.
      await expect.poll(() => first.getByTestId('service-instances').locator('tbody tr').count()).toBe(1);
      // By keyboard: Enter opens the plan, focus is inside the dialog, Escape closes it and changes nothing.
      await first.getByTestId('toggle-github').focus();
      await first.keyboard.press('Enter');
      await first.getByTestId('plan-dialog').waitFor();
      expect(await first.locator('[data-testid="plan-dialog"] :focus').count()).toBe(1);
      await first.keyboard.press('Escape');
      await first.getByTestId('plan-dialog').waitFor({ state: 'detached' });
      expect(w.manager.isEnabled('github')).toBe(true);
      await first.getByTestId('toggle-github').click();
      await first.getByTestId('plan-dialog').waitFor();
      expect(await first.getByTestId('plan-dialog').textContent()).toContain('github');
      await shot(first, 'plan');
      await first.getByTestId('plan-confirm').click();
      await expect.poll(() => w.manager.isEnabled('github'), { timeout: 10_000 }).toBe(false);
      await expect
        .poll(() => second.getByTestId('service-row-github').textContent(), { timeout: 10_000 })
        .toMatch(/disabled|inactive/i);
      await shot(second, 'live-update');

      // Settings: an invalid value is refused inline, a valid one saved.
      await first.getByTestId('config-form').waitFor();
      await first.getByTestId('config-field-retries').locator('input').fill('99');
      await first.getByTestId('config-save').click();
      await first.getByTestId('config-error-retries').waitFor();
      expect(await first.getByTestId('config-error-retries').textContent()).toMatch(/10/);
      await shot(first, 'config-refused');
      expect((await w.manager.getConfig('github')).version).toBe(0);
      await first.getByTestId('config-field-retries').locator('input').fill('5');
      await first.getByTestId('config-save').click();
      await expect
        .poll(async () => (await w.manager.getConfig('github')).values.retries, { timeout: 10_000 })
        .toBe(5);
      await first.getByTestId('config-field-org').locator('input').fill('acme');
      await first.getByTestId('config-save').click();
      await expect
        .poll(async () => (await w.manager.getConfig('github')).values.org, { timeout: 10_000 })
        .toBe('acme');

      // Roll back to version 1: the organisation is unset again.
      await first.getByTestId('rollback-1').click();
      await first.getByTestId('rollback-dialog').waitFor();
      expect(await first.getByTestId('rollback-dialog').textContent()).toContain('acme');
      await first.getByTestId('rollback-dialog-confirm').click();
      await expect
        .poll(async () => (await w.manager.getConfig('github')).values.org, { timeout: 10_000 })
        .toBeUndefined();
      await first.getByTestId('history-version-3').waitFor();
      await shot(first, 'rollback');

      expect((await w.manager.auditLog({ limit: 10 })).map((e) => [e.action, e.actor, e.adapter])).toEqual(
        expect.arrayContaining([
          ['disable', '400000000000000004', 'web'],
          ['config.update', '400000000000000004', 'web'],
          ['config.rollback', '400000000000000004', 'web'],
        ]),
      );
      expect(errors).toEqual([]);

      // Reload: GitHub is registered in code, so the server's refusal (409, logged by the browser) is shown.
      await first.getByTestId('reload-github').click();
      await expect
        .poll(() => first.getByTestId('toasts').textContent(), { timeout: 10_000 })
        .toContain('cannot be reloaded');

      // A phone-sized window in the dark theme still shows the catalog.
      const phone = await (browser as Browser).newContext({
        viewport: { width: 375, height: 740 },
        colorScheme: 'dark',
      });
      await phone.addCookies(await context.cookies());
      const small = await phone.newPage();
      await small.goto(`${base}/`);
      await small.getByTestId('service-row-github').waitFor();
      await shot(small, 'phone-dark');
      await phone.close();
      await context.close();
    },
  );

  it.skipIf(missing !== null && process.env.CI !== 'true')(
    'GIVEN a member who may only read THEN no management control is offered; once their access is removed, the next visit asks them to log in',
    { timeout: 120_000 },
    async () => {
      const { discord, base } = await startWithDiscordLogin({ recheckMs: 0 });
      discord.next = 'bob';
      const context = await (browser as Browser).newContext();
      const page = await context.newPage();
      await page.goto(`${base}/auth/discord/login`);
      await page.waitForURL(`${base}/`);
      await page.getByTestId('service-row-github').waitFor();
      await page.goto(`${base}/services/github`);
      await page.getByTestId('check-now').waitFor();
      expect(await page.getByTestId('toggle-github').count()).toBe(0);
      expect(await page.getByTestId('reload-github').count()).toBe(0);
      expect(await page.getByTestId('config-form').count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      await shot(page, 'read-only');

      (discord.users.get('bob') as { inGuild: boolean }).inGuild = false;
      await page.reload();
      await page.getByTestId('login-required').waitFor();
      expect(await page.getByTestId('discord-login').getAttribute('href')).toBe('/auth/discord/login');
      await shot(page, 'access-removed');
      await context.close();
    },
  );
});
