// The WebSocket MTP (TR-369 "WebSocket Binding"). Unlike MQTT, every virtual
// agent has sessions of its own: at most one per controller (R-WS.4), either
// opened by the agent to the controller's server (R-WS.5) or accepted from the
// controller on the gateway's server (R-WS.6). Replies go back on the session
// the request came on; Notifies on the agent's session to that controller.
import type { Logger } from "pino";
import type WebSocket from "ws";
import type { Mtp, RecordHandler, ReplyAddress } from "./mtp.js";
import { WsClientLink, type WsClientTls } from "./websocket-client.js";
import type { RetryPolicy } from "./websocket-handshake.js";
import { startWsServer, type WsServer, type WsServerTls } from "./websocket-server.js";
import { WsSession, type WsSessionEvents } from "./websocket-session.js";

/** A controller whose WebSocket server the agents connect to. */
export interface WsControllerTarget {
  endpointId: string;
  url: string;
  tls?: WsClientTls;
  keepAliveMs: number;
  retry: RetryPolicy;
}

export interface WebSocketMtpOptions {
  logger: Logger;
  targets: WsControllerTarget[];
  /** The gateway's own server (R-WS.6); absent = agents only originate. */
  server?: { host: string; port: number; path: string; keepAliveMs: number; tls?: WsServerTls };
  /** Controllers the gateway serves: only they may open sessions. */
  isController(endpointId: string): boolean;
  /** Whether a virtual agent exists (the server refuses sessions to unknown ones). */
  isAgent(endpointId: string): Promise<boolean>;
  random?: () => number;
}

function pairKey(agentEndpointId: string, controllerEndpointId: string): string {
  return `${agentEndpointId}\n${controllerEndpointId}`;
}

export class WebSocketMtp implements Mtp {
  readonly name = "websocket";
  private recordHandler: RecordHandler = () => undefined;
  private channelUpHandler: () => void = () => undefined;
  private readonly sessionsById = new Map<string, WsSession>();
  /** R-WS.4: the one open session of each agent/controller pair. */
  private readonly sessionsByPair = new Map<string, WsSession>();
  private readonly links = new Map<string, WsClientLink>();
  private server: WsServer | undefined;
  private stopping = false;
  private readonly sessionEvents: WsSessionEvents = {
    record: (session, bytes, record) => {
      this.recordHandler(bytes, { mtp: "websocket", controllerId: record.fromId, connectionId: session.id });
    },
    identified: (session) => this.identified(session),
    closed: (session, code, reason) => this.forget(session, code, reason),
  };

  constructor(private readonly options: WebSocketMtpOptions) {}

  onRecord(handler: RecordHandler): void {
    this.recordHandler = handler;
  }

  onChannelUp(handler: () => void): void {
    this.channelUpHandler = handler;
  }

  /** The server's port (0 when there is no server), for URLs and tests. */
  get serverPort(): number {
    return this.server?.port ?? 0;
  }

  isConnected(): boolean {
    return this.options.server === undefined || (this.server?.isListening() ?? false);
  }

  async start(): Promise<void> {
    const server = this.options.server;
    if (server !== undefined) {
      this.server = await startWsServer({
        ...server,
        logger: this.options.logger,
        vet: (agent, controller) => this.vet(agent, controller),
        accepted: (socket, agent, controller) => this.accepted(socket, agent, controller, server.keepAliveMs),
      });
    }
    // Lets every known agent open its sessions to the configured controllers.
    this.channelUpHandler();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const link of this.links.values()) link.stop();
    this.links.clear();
    // Sessions first: the server's close waits for every socket it accepted.
    await Promise.all([...this.sessionsById.values()].map((s) => s.disconnect("gateway shutting down")));
    await this.server?.close();
  }

  async send(from: string, to: ReplyAddress, bytes: Uint8Array): Promise<void> {
    if (to.mtp !== "websocket") throw new Error(`WebSocket MTP cannot send to a ${to.mtp} address`);
    const byId = to.connectionId === undefined ? undefined : this.sessionsById.get(to.connectionId);
    const session = byId !== undefined && byId.isOpen() && byId.agentEndpointId === from ? byId : this.sessionsByPair.get(pairKey(from, to.controllerId));
    if (session === undefined || !session.isOpen()) throw new Error(`no open WebSocket session from ${from} to ${to.controllerId}`);
    await session.send(bytes);
  }

  async sendConnectRecord(agentEndpointId: string, controllerEndpointId: string): Promise<void> {
    if (this.stopping) return;
    const key = pairKey(agentEndpointId, controllerEndpointId);
    if (this.links.has(key) || this.sessionsByPair.has(key)) return;
    const target = this.options.targets.find((t) => t.endpointId === controllerEndpointId);
    // A controller without a URL is only reached on sessions it opens itself.
    if (target === undefined) return;
    const link = new WsClientLink({
      agentEndpointId,
      controllerEndpointId,
      url: target.url,
      keepAliveMs: target.keepAliveMs,
      retry: target.retry,
      logger: this.options.logger,
      random: this.options.random ?? Math.random,
      events: this.sessionEvents,
      opened: (session) => this.register(session),
      ...(target.tls !== undefined ? { tls: target.tls } : {}),
    });
    this.links.set(key, link);
    link.start();
  }

  private async vet(agent: string, controller: string | undefined): Promise<{ status: number; reason: string } | undefined> {
    if (this.stopping) return { status: 503, reason: "gateway shutting down" };
    if (controller !== undefined && !this.options.isController(controller)) return { status: 403, reason: `${controller} is not a controller of this gateway` };
    if (!(await this.options.isAgent(agent))) return { status: 404, reason: `no USP agent ${agent}` };
    if (controller !== undefined && this.sessionsByPair.has(pairKey(agent, controller))) {
      return { status: 409, reason: `a WebSocket session between ${agent} and ${controller} is already open (R-WS.4)` };
    }
    return undefined;
  }

  private accepted(socket: WebSocket, agent: string, controller: string | undefined, keepAliveMs: number): void {
    const session = new WsSession({ socket, role: "server", agentEndpointId: agent, controllerEndpointId: controller, keepAliveMs, logger: this.options.logger, events: this.sessionEvents });
    this.options.logger.info({ endpointId: agent, controller }, "controller opened a WebSocket session");
    if (controller === undefined) {
      // Known only from the first Record: registered then (identified).
      this.sessionsById.set(session.id, session);
      return;
    }
    this.register(session);
    this.sendConnect(session);
  }

  private identified(session: WsSession): void {
    const controller = session.controllerEndpointId as string;
    if (this.sessionsByPair.has(pairKey(session.agentEndpointId, controller))) {
      // R-WS.4: the pair already has its session; the Record is still served
      // and the reply goes back on this connection (connectionId).
      this.options.logger.info({ endpointId: session.agentEndpointId, controller }, "a second WebSocket session for the same agent and controller (R-WS.4)");
      return;
    }
    this.register(session);
    if (this.options.isController(controller)) this.sendConnect(session);
  }

  private register(session: WsSession): void {
    this.sessionsById.set(session.id, session);
    const controller = session.controllerEndpointId;
    if (controller !== undefined) this.sessionsByPair.set(pairKey(session.agentEndpointId, controller), session);
  }

  private sendConnect(session: WsSession): void {
    session.sendConnectRecord().catch((err: unknown) => this.options.logger.warn({ endpointId: session.agentEndpointId, err: (err as Error).message }, "WebSocketConnect record not sent"));
  }

  private forget(session: WsSession, code: number, reason: string): void {
    this.sessionsById.delete(session.id);
    const controller = session.controllerEndpointId;
    if (controller !== undefined) {
      const key = pairKey(session.agentEndpointId, controller);
      if (this.sessionsByPair.get(key) === session) this.sessionsByPair.delete(key);
    }
    this.options.logger.info({ endpointId: session.agentEndpointId, controller, role: session.role, code, reason }, "WebSocket session closed");
  }
}
