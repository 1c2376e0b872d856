// The gateway's WebSocket server, where controllers open sessions to virtual
// agents (R-WS.6). Each agent is its own resource, `<path>/<endpoint id>`
// (R-WS.2); the controller names itself with `?eid=` (R-WS.10b) or the
// deprecated bbf-usp-protocol extension (R-WS.10a), or else with its first Record.
import http, { STATUS_CODES, type IncomingMessage } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import WebSocket, { WebSocketServer } from "ws";
import {
  USP_WS_SUBPROTOCOL,
  agentFromResourcePath,
  bbfExtensionEid,
  bbfExtensionHeader,
  offeredSubprotocols,
} from "./websocket-handshake.js";

/** TLS material for wss:// (PEM text, already read from files or env). */
export interface WsServerTls {
  cert: string;
  key: string;
  ca?: string;
  requestClientCert: boolean;
}

export interface WsServerOptions {
  host: string;
  port: number;
  path: string;
  tls?: WsServerTls;
  logger: Logger;
  /** Refuses a handshake, with the HTTP status and why, or accepts it (undefined). */
  vet(agentEndpointId: string, controllerEndpointId: string | undefined): Promise<{ status: number; reason: string } | undefined>;
  accepted(socket: WebSocket, agentEndpointId: string, controllerEndpointId: string | undefined): void;
}

export interface WsServer {
  readonly port: number;
  isListening(): boolean;
  close(): Promise<void>;
}

interface Handshake {
  agentEndpointId: string;
  controllerEndpointId: string | undefined;
  bbfExtension: boolean;
}

export async function startWsServer(options: WsServerOptions): Promise<WsServer> {
  const { tls } = options;
  const server = tls === undefined
    ? http.createServer()
    : https.createServer({ cert: tls.cert, key: tls.key, ...(tls.ca !== undefined ? { ca: tls.ca } : {}), requestCert: tls.requestClientCert, rejectUnauthorized: tls.requestClientCert });
  // R-WS.11/R-WS.12a: only v1.usp is spoken; vetting has already refused clients that do not offer it.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(USP_WS_SUBPROTOCOL) ? USP_WS_SUBPROTOCOL : false) });
  wss.on("headers", (headers, req) => {
    // R-WS.11a: answer the deprecated extension with the agent's own eid.
    const handshake = parseHandshake(options.path, req);
    if (handshake !== undefined && "agentEndpointId" in handshake && handshake.bbfExtension) headers.push(`Sec-WebSocket-Extensions: ${bbfExtensionHeader(handshake.agentEndpointId)}`);
  });
  server.on("request", (_req, res) => {
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket", connection: "close" }).end("USP WebSocket endpoint: upgrade with Sec-WebSocket-Protocol: v1.usp\n");
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", (err) => options.logger.debug({ err: err.message }, "WebSocket handshake socket error"));
    upgrade(options, wss, req, socket, head).catch((err: unknown) => {
      options.logger.error({ err }, "WebSocket handshake failed");
      refuse(socket, 500, "internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ host: options.host, port, path: options.path, tls: tls !== undefined }, "WebSocket MTP server listening");
  return {
    port,
    isListening: () => server.listening,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function upgrade(options: WsServerOptions, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const handshake = parseHandshake(options.path, req);
  if ("status" in handshake) {
    options.logger.info({ url: req.url, status: handshake.status, reason: handshake.reason }, "WebSocket handshake refused");
    refuse(socket, handshake.status, handshake.reason);
    return;
  }
  const refusal = await options.vet(handshake.agentEndpointId, handshake.controllerEndpointId);
  if (refusal !== undefined) {
    options.logger.info({ endpointId: handshake.agentEndpointId, controller: handshake.controllerEndpointId, ...refusal }, "WebSocket handshake refused");
    refuse(socket, refusal.status, refusal.reason);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => options.accepted(ws, handshake.agentEndpointId, handshake.controllerEndpointId));
}

/** What the request line and headers say, or why the handshake is refused. */
function parseHandshake(basePath: string, req: IncomingMessage): Handshake | { status: number; reason: string } {
  const url = new URL(req.url ?? "/", "http://gateway");
  const agentEndpointId = agentFromResourcePath(basePath, url.pathname);
  if (agentEndpointId === undefined) return { status: 404, reason: `no USP agent at ${url.pathname} (agents are at ${basePath}/<endpoint id>)` };
  // R-WS.12a: no session without the USP subprotocol.
  if (!offeredSubprotocols(req.headers["sec-websocket-protocol"]).includes(USP_WS_SUBPROTOCOL)) {
    return { status: 400, reason: `Sec-WebSocket-Protocol must offer ${USP_WS_SUBPROTOCOL} (R-WS.12a)` };
  }
  const queryEid = url.searchParams.get("eid") ?? undefined;
  const extensionEid = bbfExtensionEid(req.headers["sec-websocket-extensions"]);
  if (queryEid !== undefined && extensionEid !== undefined && queryEid !== extensionEid) {
    return { status: 400, reason: "the eid query and the bbf-usp-protocol extension name different endpoints" };
  }
  const controllerEndpointId = queryEid === "" ? extensionEid : (queryEid ?? extensionEid);
  return { agentEndpointId, controllerEndpointId, bbfExtension: extensionEid !== undefined };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
