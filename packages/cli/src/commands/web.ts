/**
 * `servicedeck web login` and `servicedeck tokens …`: a one-time link to the dashboard, and API tokens for
 * automation, made in the database the running dashboard reads.
 */
import type { ApiTokenInfo, ApiTokenScope } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { renderTable } from '../output/table.js';
import { cliActor, withManager } from '../runtime.js';

/** The dashboard's address as configured. */
function dashboardUrl(context: CommandContext): string {
  const { web } = context.settings;
  if (web.publicUrl) return web.publicUrl.replace(/\/$/, '');
  const host = web.host.includes(':') ? `[${web.host}]` : web.host;
  return `http://${host}:${web.port}`;
}

/** Prints a one-time login link to the dashboard of a running `servicedeck up`. */
export async function webLogin(context: CommandContext, options: { json?: boolean }): Promise<number> {
  const token = await withManager(context, (manager) => manager.createLoginToken(cliActor(context.io.env)));
  const url = `${dashboardUrl(context)}/login?token=${token}`;
  if (options.json) context.print(JSON.stringify({ url, token, validMinutes: 15 }));
  else context.print(`${url}\nOpen it within 15 minutes; it works once.`);
  return EXIT.ok;
}

const tokenJson = (info: ApiTokenInfo) => ({
  ...info,
  createdAt: info.createdAt.toISOString(),
  lastUsedAt: info.lastUsedAt?.toISOString() ?? null,
  revokedAt: info.revokedAt?.toISOString() ?? null,
});

/** Creates an API token and prints it (once). */
export async function createToken(
  context: CommandContext,
  name: string,
  options: { scope: ApiTokenScope; json?: boolean },
): Promise<number> {
  const created = await withManager(context, (manager) =>
    manager.createApiToken({ ...cliActor(context.io.env), name, scope: options.scope }),
  );
  if (options.json) {
    context.print(JSON.stringify({ token: created.token, info: tokenJson(created.info) }));
  } else {
    context.print(created.token);
    context.io.stderr.write(
      `Token ${created.info.id} "${created.info.name}" (${created.info.scope}) created. It is shown only this once: store it now. Send it as "Authorization: Bearer <token>".\n`,
    );
  }
  return EXIT.ok;
}

/** Lists API tokens (never the tokens themselves). */
export async function listTokens(context: CommandContext, options: { json?: boolean }): Promise<number> {
  const tokens = await withManager(context, (manager) => manager.listApiTokens());
  if (options.json) {
    context.print(JSON.stringify(tokens.map(tokenJson)));
    return EXIT.ok;
  }
  if (tokens.length === 0) {
    context.print('No API tokens. Create one with servicedeck tokens create <name> --scope read.');
    return EXIT.ok;
  }
  const when = (date: Date | null): string =>
    date ? date.toISOString().replace('T', ' ').slice(0, 16) : '-';
  context.print(
    renderTable(
      ['ID', 'NAME', 'SCOPE', 'PREFIX', 'CREATED BY', 'CREATED', 'LAST USED', 'STATE'],
      tokens.map((t) => [
        String(t.id),
        t.name,
        t.scope,
        `${t.prefix}…`,
        t.createdBy,
        when(t.createdAt),
        when(t.lastUsedAt),
        t.revokedAt ? `revoked ${when(t.revokedAt)}` : 'active',
      ]),
    ),
  );
  return EXIT.ok;
}

/** Revokes an API token. */
export async function revokeToken(context: CommandContext, id: number): Promise<number> {
  const revoked = await withManager(context, (manager) =>
    manager.revokeApiToken(id, cliActor(context.io.env)),
  );
  context.print(`Token ${revoked.id} "${revoked.name}" revoked: requests with it are refused from now on.`);
  return EXIT.ok;
}
