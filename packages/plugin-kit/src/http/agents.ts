/**
 * The connection pools of one service instance: an http and an https agent that keep connections alive
 * between requests and are destroyed when the service is disabled.
 */
import http from 'node:http';
import https from 'node:https';

/** Milliseconds an idle kept-alive connection stays open before the agent closes it. */
const IDLE_SOCKET_TIMEOUT_MS = 15_000;

/** The agents of one enabled service instance. */
export class EndpointAgents {
  private readonly plain = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
  private readonly secure = new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });

  /** The agent for a URL's protocol. */
  public for(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.secure : this.plain;
  }

  /** Closes the idle kept-alive connections (after the endpoint changed); requests in flight go on. */
  public closeIdle(): void {
    for (const agent of [this.plain, this.secure]) {
      for (const sockets of Object.values(agent.freeSockets)) {
        for (const socket of sockets ?? []) socket.destroy();
      }
    }
  }

  /** Closes every connection, idle or not. */
  public destroy(): void {
    this.plain.destroy();
    this.secure.destroy();
  }
}
