/**
 * The Supabase service: owns the supabase-js client the bot uses, built from the registry's configuration
 * with a fetch of its own (timeout, connection pool closed on disable), and checks the project's auth
 * server and REST API with the configured key.
 */
import {
  describeError,
  type HealthCheckResult,
  inject,
  SERVICE_CONTEXT,
  Service,
  type ServiceContext,
} from '@servicedeck/core';
import { BoundedFetch, ClientService } from '@servicedeck/plugin-kit';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SUPABASE_CONFIG_SCHEMA, type SupabaseConfig } from './config.js';
import { checkProject } from './health.js';
import { keyRole } from './key.js';
import { SUPABASE_PLUGIN_VERSION } from './version.js';

/**
 * Stands in for a WebSocket where the runtime has none (Node.js before 22): supabase-js then works for the
 * REST, auth and storage APIs, and subscribing to a Realtime channel fails with this explanation.
 */
class MissingWebSocket {
  public constructor() {
    throw new Error(
      'Supabase Realtime needs WebSocket support, which this Node.js lacks: run Node.js 22 or later, or start Node.js 20 with --experimental-websocket',
    );
  }
}

/** What the service keeps beside each client it created. */
interface ClientParts {
  readonly fetch: BoundedFetch;
}

/**
 * Supabase for the bot: `client` is a `SupabaseClient` of `@supabase/supabase-js` for the configured
 * project, key and schema. Configure it with at least `url` and `apiKey`; see {@link SupabaseConfig}.
 *
 * The client keeps no session (`persistSession`, `autoRefreshToken` and `detectSessionInUrl` are off: a bot
 * acts with its key), sends its requests through a fetch of its own with the configured timeout, and is
 * closed on `disable` with its Realtime channels removed and its connections closed.
 *
 * @example
 * ```ts
 * const supabase = manager.getService<SupabaseService>('supabase').client;
 * const { data, error } = await supabase.from('reminders').select('*').eq('guild_id', guildId);
 * ```
 */
@Service({
  id: 'supabase',
  name: 'Supabase',
  description: "The bot's Supabase project: its database through the REST API, auth, storage and realtime.",
  type: 'external',
  version: SUPABASE_PLUGIN_VERSION,
  tags: ['database', 'auth', 'storage'],
  configSchema: SUPABASE_CONFIG_SCHEMA,
  healthCheck: { timeoutMs: 10_000 },
})
export class SupabaseService extends ClientService<SupabaseConfig, SupabaseClient> {
  private readonly parts = new WeakMap<SupabaseClient, ClientParts>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  protected createClient(config: SupabaseConfig): SupabaseClient {
    const bounded = new BoundedFetch(config.timeoutMs, 'Supabase client');
    const transport =
      (globalThis as { WebSocket?: unknown }).WebSocket === undefined ? MissingWebSocket : undefined;
    let client: SupabaseClient;
    try {
      // The schema is known only at run time; the client's type is the untyped one (`Database` is `any`).
      client = createClient(config.url, config.apiKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        db: { schema: config.schema },
        global: { fetch: bounded.fetch },
        ...(transport === undefined ? {} : { realtime: { transport: transport as never } }),
      }) as unknown as SupabaseClient;
    } catch (error) {
      void bounded.close();
      throw new Error(`cannot create the Supabase client: ${describeError(error)}`, { cause: error });
    }
    this.parts.set(client, { fetch: bounded });
    this.logger.debug('client built', {
      origin: new URL(config.url).origin,
      schema: config.schema,
      keyRole: keyRole(config.apiKey),
    });
    return client;
  }

  protected async closeClient(client: SupabaseClient): Promise<void> {
    // Channels are only removed when there are some: removing them makes realtime-js disconnect, and its
    // disconnect leaves a 10 s timer of its own behind.
    if (client.getChannels().length > 0) {
      const removed = await client.removeAllChannels();
      this.logger.debug('realtime channels removed', { count: removed.length });
    }
    await this.parts.get(client)?.fetch.close();
    this.parts.delete(client);
  }

  protected async checkClient(
    client: SupabaseClient,
    config: SupabaseConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const parts = this.parts.get(client);
    if (parts === undefined) return { status: 'error', message: 'the client was closed' };
    return checkProject({
      fetch: parts.fetch.fetch,
      baseUrl: new URL(config.url.endsWith('/') ? config.url : `${config.url}/`),
      apiKey: config.apiKey,
      schema: config.schema,
      role: keyRole(config.apiKey),
      signal,
    });
  }

  /** Words for what a check threw: the health-check timeout in milliseconds, anything else as it reads. */
  protected override describeFailure(error: unknown): string {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return `no answer within ${this.getMetadata().healthCheck.timeoutMs} ms (the health check timed out)`;
    }
    return describeError(error);
  }
}
