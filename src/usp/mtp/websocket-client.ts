// One agent's originating WebSocket session to one controller (R-WS.5):
// the handshake (R-WS.10–12), and the retry schedule while the session is
// down (R-WS.19–20). A link lives as long as the gateway serves the agent.
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import WebSocket from "ws";
import {
  USP_WS_SUBPROTOCOL,
  agentClientUrl,
  bbfExtensionEid,
  onlyBbfExtension,
  retryWaitMs,
  type RetryPolicy,
} from "./websocket-handshake.js";
import { WsSession, type WsSessionEvents } from "./websocket-session.js";

/** TLS material for wss:// (PEM text, already read from files or env). */
export interface WsClientTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

export interface WsClientLinkOptions {
  agentEndpointId: string;
  controllerEndpointId: string;
  /** ws:// or wss:// URL of the controller's server; `eid` is added (R-WS.10b). */
  url: string;
  tls?: WsClientTls;
  keepAliveMs: number;
  retry: RetryPolicy;
  logger: Logger;
  /** A value in [0, 1) for the retry jitter. */
  random: () => number;
  events: WsSessionEvents;
  /** The session is up and its WebSocketConnect record went out. */
  opened(session: WsSession): void;
}

/** A handshake that hangs (a server that never answers) counts as a failure. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class WsClientLink {
  private retryCount = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private socket: WebSocket | undefined;
  private session: WsSession | undefined;
  private stopped = false;

  constructor(private readonly options: WsClientLinkOptions) {}

  start(): void {
    this.connect();
  }

  /** True while a session is open or an attempt is under way or scheduled. */
  isActive(): boolean {
    return !this.stopped;
  }

  /** No more retries; the open session (if any) is left to the caller's shutdown. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.session === undefined) this.socket?.terminate();
  }

  private connect(): void {
    const { url, agentEndpointId, tls, logger } = this.options;
    const target = agentClientUrl(url, agentEndpointId);
    // R-WS.10: offer v1.usp. ws itself refuses a handshake whose answer does
    // not echo it (R-WS.12: "Server sent no subprotocol"). The deprecated
    // bbf-usp-protocol extension (R-WS.10a) is not offered: ws would refuse
    // the extension answer a 1.2 server sends back, and 1.3 removed it.
    const socket = new WebSocket(target, USP_WS_SUBPROTOCOL, {
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
      ...(tls !== undefined ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized } : {}),
    });
    this.socket = socket;
    socket.on("upgrade", (res) => this.checkUpgrade(socket, res));
    socket.on("open", () => this.onOpen(socket));
    socket.on("error", (err) => logger.warn({ endpointId: agentEndpointId, url, err: err.message }, "WebSocket session to controller failed"));
    socket.on("close", () => {
      if (this.session === undefined) this.scheduleRetry();
    });
  }

  /** Tolerates a server that answers with the bbf-usp-protocol extension
   * anyway (issue 3): ws would abort on an extension it did not offer, so the
   * header is checked here (R-WS.11a: the server's eid) and removed. */
  private checkUpgrade(socket: WebSocket, res: IncomingMessage): void {
    const header = res.headers["sec-websocket-extensions"];
    if (header === undefined || !onlyBbfExtension(header)) return;
    const eid = bbfExtensionEid(header);
    delete res.headers["sec-websocket-extensions"];
    if (eid !== undefined && eid !== this.options.controllerEndpointId) {
      this.options.logger.warn({ url: this.options.url, eid, expected: this.options.controllerEndpointId }, "WebSocket server is another endpoint; not connecting");
      socket.close();
    }
  }

  private onOpen(socket: WebSocket): void {
    const { agentEndpointId, controllerEndpointId, keepAliveMs, logger, events } = this.options;
    if (this.stopped) {
      socket.terminate();
      return;
    }
    this.retryCount = 0; // R-WS.20
    const session = new WsSession({
      socket,
      role: "client",
      agentEndpointId,
      controllerEndpointId,
      keepAliveMs,
      logger,
      events: {
        record: (s, bytes, record) => events.record(s, bytes, record),
        identified: (s) => events.identified(s),
        closed: (s, code, reason) => {
          this.session = undefined;
          events.closed(s, code, reason);
          this.scheduleRetry();
        },
      },
    });
    this.session = session;
    logger.info({ endpointId: agentEndpointId, controller: controllerEndpointId, url: this.options.url }, "WebSocket session to controller open");
    this.options.opened(session);
    session.sendConnectRecord().catch((err: unknown) => logger.warn({ endpointId: agentEndpointId, err: (err as Error).message }, "WebSocketConnect record not sent"));
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.retryCount += 1;
    const waitMs = retryWaitMs(this.retryCount, this.options.retry, this.options.random());
    this.options.logger.debug({ endpointId: this.options.agentEndpointId, retry: this.retryCount, waitMs }, "WebSocket session retry scheduled (R-WS.19)");
    this.retryTimer = setTimeout(() => this.connect(), waitMs);
    this.retryTimer.unref();
  }
}
