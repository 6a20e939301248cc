/**
 * A typed client of the Mailcow API (`/api/v1/…` with an `X-API-Key`): the read routes a bot uses, failures
 * in words.
 */
import { describeHttpStatus, type HttpClient } from '@servicedeck/plugin-kit';

/** One container of `GET /api/v1/get/status/containers`. */
export interface MailcowContainer {
  readonly type: string;
  readonly container: string;
  readonly state: string;
  readonly started_at?: string;
  readonly image?: string;
}

/** A domain of `GET /api/v1/get/domain/all` (the fields a bot reads; Mailcow sends more). */
export interface MailcowDomain {
  readonly domain_name: string;
  readonly active: number | string;
  readonly mboxes_in_domain?: number | string;
  readonly [key: string]: unknown;
}

/** A mailbox of `GET /api/v1/get/mailbox/all` (the fields a bot reads; Mailcow sends more). */
export interface MailcowMailbox {
  readonly username: string;
  readonly domain: string;
  readonly active: number | string;
  readonly quota?: number | string;
  readonly quota_used?: number | string;
  readonly [key: string]: unknown;
}

/** A Mailcow API call failed; the message says why in words. */
export class MailcowApiError extends Error {
  public constructor(
    message: string,
    public readonly status: number,
  ) {
    super(message);
    this.name = 'MailcowApiError';
  }
}

/** Mailcow's error body: `{"type":"error","msg":"authentication failed"}`. */
function mailcowMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const msg = (body as { msg?: unknown }).msg;
  if (typeof msg === 'string') return msg;
  if (Array.isArray(msg)) return msg.map(String).join(' ');
  return undefined;
}

/** The Mailcow API of one server and key. */
export class MailcowApi {
  public constructor(private readonly http: HttpClient) {}

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.http.request(path, signal ? { signal } : {});
    let body: unknown;
    try {
      body = response.json();
    } catch {
      body = undefined;
    }
    if (
      response.status === 401 ||
      (response.status === 200 && mailcowMessage(body) === 'authentication failed')
    ) {
      throw new MailcowApiError('authentication failed: API key rejected', 401);
    }
    if (response.status === 403) {
      throw new MailcowApiError(
        `permission denied: ${mailcowMessage(body) ?? "this API key may not be used from this host's address (check its allowed IPs)"}`,
        403,
      );
    }
    if (response.status !== 200) {
      const said = mailcowMessage(body);
      throw new MailcowApiError(
        `${describeHttpStatus(response.status, response.statusText)}${said ? `: ${said}` : ''}`,
        response.status,
      );
    }
    if (body === undefined) {
      throw new MailcowApiError(
        `${path} did not answer JSON: is url the Mailcow UI's address?`,
        response.status,
      );
    }
    return body as T;
  }

  /** Every container of the Mailcow stack and its state (`running`…), by name. */
  public async containerStatus(signal?: AbortSignal): Promise<Record<string, MailcowContainer>> {
    return this.get<Record<string, MailcowContainer>>('/api/v1/get/status/containers', signal);
  }

  /** The Mailcow version (`2024-11b`). */
  public async version(signal?: AbortSignal): Promise<string> {
    return (await this.get<{ version: string }>('/api/v1/get/status/version', signal)).version;
  }

  /** Every mail domain. */
  public async domains(signal?: AbortSignal): Promise<MailcowDomain[]> {
    return this.get<MailcowDomain[]>('/api/v1/get/domain/all', signal);
  }

  /** Every mailbox. */
  public async mailboxes(signal?: AbortSignal): Promise<MailcowMailbox[]> {
    return this.get<MailcowMailbox[]>('/api/v1/get/mailbox/all', signal);
  }
}
