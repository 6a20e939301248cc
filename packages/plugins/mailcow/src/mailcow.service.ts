/**
 * The Mailcow service: its API (with an API key) and an SMTP transport for the bot's mail, checked with the
 * containers' status and an SMTP EHLO on the mail host.
 */
import type { HealthCheckResult, ServiceContext } from '@servicedeck/core';
import { inject, SERVICE_CONTEXT, Service } from '@servicedeck/core';
import { ClientService, HttpClient, hostPort } from '@servicedeck/plugin-kit';
import nodemailer, { type Transporter } from 'nodemailer';
import { MailcowApi } from './api.js';
import { MAILCOW_CONFIG_SCHEMA, type MailcowConfig } from './config.js';
import { type SmtpTarget, smtpHello } from './smtp.js';
import { MAILCOW_PLUGIN_VERSION } from './version.js';

/** What the bot uses: the API, and a nodemailer transport to the Mailcow SMTP host. */
export interface MailcowClient {
  /** The Mailcow API with the configured key. */
  readonly api: MailcowApi;
  /** Sends mail through the Mailcow SMTP host (`client.mail.sendMail({ from, to, subject, text })`). */
  readonly mail: Transporter;
  /** Where mail goes, for messages. */
  readonly smtp: SmtpTarget;
}

interface Owned {
  readonly http: HttpClient;
}

/**
 * Lends the bot Mailcow's API and its SMTP submission. Configure `url` and `apiKey`; the SMTP host defaults
 * to the host of `url`.
 *
 * @example
 * ```ts
 * const mailcow = manager.getService<MailcowService>('mailcow').client;
 * await mailcow.mail.sendMail({ from: 'bot@example.com', to: 'admin@example.com', subject: 'Hi', text: '…' });
 * const boxes = await mailcow.api.mailboxes();
 * ```
 */
@Service({
  id: 'mailcow',
  name: 'Mailcow',
  description: "A Mailcow mail server: its API with an API key, and SMTP submission for the bot's mail.",
  type: 'external',
  version: MAILCOW_PLUGIN_VERSION,
  tags: ['mail', 'smtp'],
  configSchema: MAILCOW_CONFIG_SCHEMA,
  healthCheck: { intervalMs: 60_000, timeoutMs: 15_000 },
})
export class MailcowService extends ClientService<MailcowConfig, MailcowClient> {
  private readonly owned = new WeakMap<MailcowClient, Owned>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  /** Builds the API client and the SMTP transport; neither connects until used. */
  protected createClient(config: MailcowConfig): MailcowClient {
    const http = new HttpClient({
      baseUrl: config.url,
      headers: { 'x-api-key': config.apiKey },
      timeoutMs: config.timeoutMs,
    });
    const smtp: SmtpTarget = {
      host: config.smtpHost ?? new URL(config.url).hostname,
      port: config.smtpPort,
      secure: config.smtpSecure,
      timeoutMs: config.timeoutMs,
    };
    const mail = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      ...(config.smtpUser ? { auth: { user: config.smtpUser, pass: config.smtpPassword as string } } : {}),
    });
    const client: MailcowClient = { api: new MailcowApi(http), mail, smtp };
    this.owned.set(client, { http });
    return client;
  }

  /** Aborts API requests in flight and closes the transport and every connection. */
  protected async closeClient(client: MailcowClient): Promise<void> {
    await this.owned.get(client)?.http.close('request aborted: the Mailcow service was disabled');
    client.mail.close();
  }

  /** The containers' status through the API, then an SMTP EHLO on the mail host. */
  protected async checkClient(
    client: MailcowClient,
    _config: MailcowConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const containers = Object.values(await client.api.containerStatus(signal));
    const stopped = containers.filter((c) => c.state !== 'running');
    if (stopped.length > 0) {
      return {
        status: 'error',
        message: `containers not running: ${stopped.map((c) => `${c.container} (${c.state})`).join(', ')}`,
        details: { containers: containers.length, stopped: stopped.map((c) => c.container) },
      };
    }
    const hello = await smtpHello(client.smtp, signal);
    const keywords = hello.capabilities.map((c) => c.split(' ')[0] as string);
    const shown = keywords.filter((k) => k === 'STARTTLS' || k === 'AUTH');
    return {
      status: 'active',
      message: `${containers.length} containers running; SMTP ${hostPort(client.smtp.host, client.smtp.port)} EHLO ok${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`,
      details: {
        containers: containers.length,
        smtpGreeting: hello.greeting,
        smtpCapabilities: hello.capabilities,
        smtpLatencyMs: hello.latencyMs,
      },
    };
  }
}
