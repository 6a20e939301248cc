/**
 * Who may do what. Reading (list, status, health) and managing (enable, disable, reload, configuration,
 * audit) are separate permissions. Bot owners may do everything. Managing is for the users and roles of the
 * managers allowlist; without one, for members with the Administrator permission. Reading is for members
 * with the Manage Server permission (the command's default member permission), the readers allowlist, and
 * managers.
 */
import { PermissionFlagsBits } from 'discord.js';

/** The person using a command or component. */
export interface Invoker {
  readonly userId: string;
  /** The guild it happened in, or null in a direct message. */
  readonly guildId: string | null;
  /** The member's role ids in that guild. */
  readonly roleIds: readonly string[];
  /** The member's permissions in the channel, or null outside a guild. */
  readonly permissions: bigint | null;
}

/** User and role ids. */
export interface Allowlist {
  readonly users?: readonly string[];
  readonly roles?: readonly string[];
}

/** Who may read and who may manage. */
export interface AccessOptions {
  /** Bot owners: may always do everything, in any guild. */
  readonly owners?: readonly string[];
  /** May manage (and read). Without users or roles here, members with the Administrator permission may. */
  readonly managers?: Allowlist;
  /** May read, in addition to members with the Manage Server permission. */
  readonly readers?: Allowlist;
}

/** What is asked for. */
export type AccessLevel = 'read' | 'manage';

/** Whether it is allowed, and if not, why (in words for the user). */
export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

function listed(list: Allowlist | undefined, invoker: Invoker): boolean {
  return (
    (list?.users ?? []).includes(invoker.userId) ||
    (list?.roles ?? []).some((role) => invoker.roleIds.includes(role))
  );
}

const has = (invoker: Invoker, flag: bigint): boolean =>
  invoker.permissions !== null && (invoker.permissions & flag) === flag;

/** Decides who may read and manage. */
export class AccessPolicy {
  private readonly owners: Set<string>;

  public constructor(private readonly options: AccessOptions = {}) {
    this.owners = new Set(options.owners ?? []);
  }

  /** Adds owners found later (the application's owner or team, once the client is ready). */
  public addOwners(ids: Iterable<string>): void {
    for (const id of ids) this.owners.add(id);
  }

  /** Whether the invoker may manage services. */
  public canManage(invoker: Invoker): boolean {
    if (this.owners.has(invoker.userId)) return true;
    if (invoker.guildId === null) return false;
    const managers = this.options.managers;
    const configured = (managers?.users?.length ?? 0) + (managers?.roles?.length ?? 0) > 0;
    return configured ? listed(managers, invoker) : has(invoker, PermissionFlagsBits.Administrator);
  }

  /** Whether the invoker may read the catalog, statuses and health. */
  public canRead(invoker: Invoker): boolean {
    if (this.canManage(invoker)) return true;
    if (invoker.guildId === null) return false;
    return (
      has(invoker, PermissionFlagsBits.ManageGuild) ||
      has(invoker, PermissionFlagsBits.Administrator) ||
      listed(this.options.readers, invoker)
    );
  }

  /** Whether the invoker may act at `level`, and if not, why. */
  public check(invoker: Invoker, level: AccessLevel): AccessDecision {
    if (level === 'manage' ? this.canManage(invoker) : this.canRead(invoker)) return { allowed: true };
    if (invoker.guildId === null) {
      return { allowed: false, reason: 'servicedeck commands work in a server, not in direct messages.' };
    }
    if (level === 'read') {
      return {
        allowed: false,
        reason:
          'Viewing services needs the Manage Server permission or a place on the readers list. Ask a server admin.',
      };
    }
    const managers = this.options.managers;
    const configured = (managers?.users?.length ?? 0) + (managers?.roles?.length ?? 0) > 0;
    return {
      allowed: false,
      reason: configured
        ? 'Managing services is limited to the users and roles on the managers list, and you are not on it. Ask the bot owner to add you.'
        : 'Managing services needs the Administrator permission (no managers list is configured). Ask the bot owner.',
    };
  }
}
