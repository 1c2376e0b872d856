// A USP controller on the WebSocket MTP for end-to-end tests: a WebSocket
// server the gateway's agents connect to (R-WS.5), and a client that connects
// to the gateway's own server (R-WS.6). Speaks our Record/Msg codec.
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer, type RawData } from "ws";
import { decodeMsg, decodeRecord, msgTypeForBody } from "../../src/usp/decode.js";
import { noSessionRecord } from "../../src/usp/encode.js";
import type { Body, Msg, Request, UspRecord } from "../../src/usp/messages.js";

export interface WsReceived {
  record: UspRecord;
  msg?: Msg;
}

/** One WebSocket connection as the controller sees it. */
export class WsPeer {
  readonly received: WsReceived[] = [];
  closeCode: number | undefined;
  private waiters: { match: (r: WsReceived) => boolean; resolve: (r: WsReceived) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];
  private counter = 0;

  constructor(
    readonly socket: WebSocket,
    readonly controllerId: string,
    /** The `eid` the connecting side sent in the query (R-WS.10b), if any. */
    readonly eid: string | undefined,
  ) {
    socket.on("message", (data: RawData, isBinary) => {
      if (!isBinary) return;
      const decoded = decodeRecord(new Uint8Array(data as Buffer));
      if (!decoded.ok) return;
      const entry: WsReceived = { record: decoded.record };
      if (decoded.record.recordType.type === "noSessionContext") {
        const msg = decodeMsg(decoded.record.recordType.payload);
        if (msg.ok) entry.msg = msg.msg;
      }
      this.received.push(entry);
      const waiter = this.waiters.find((w) => w.match(entry));
      if (waiter !== undefined) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(entry);
      }
    });
    socket.on("close", (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w(code);
    });
    socket.on("error", () => undefined);
  }

  waitFor(match: (r: WsReceived) => boolean, timeoutMs = 10_000): Promise<WsReceived> {
    const seen = this.received.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching USP record within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  waitForClose(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  sendRaw(data: Buffer | string, binary: boolean): void {
    this.socket.send(data, { binary });
  }

  async request(agentId: string, request: Request, timeoutMs = 15_000): Promise<Msg> {
    this.counter += 1;
    const msgId = `${this.controllerId}-ws-${this.counter}`;
    const body: Body = { kind: "request", request };
    const msg: Msg = { header: { msgId, msgType: msgTypeForBody(body) }, body };
    this.socket.send(Buffer.from(noSessionRecord({ toId: agentId, fromId: this.controllerId, msg })), { binary: true });
    const reply = await this.waitFor((r) => r.msg?.header.msgId === msgId, timeoutMs);
    return reply.msg as Msg;
  }
}

export interface WsControllerServerOptions {
  controllerId: string;
  /** false: a server that does not echo v1.usp (R-WS.12 test). */
  echoSubprotocol?: boolean;
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
}

/** The controller's WebSocket server (agents connect here, R-WS.5). */
export class WsControllerServer {
  readonly peers: WsPeer[] = [];
  /** Handshakes seen, accepted by the server or not. */
  handshakes = 0;
  private peerWaiters: { match: (p: WsPeer) => boolean; resolve: (p: WsPeer) => void }[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly httpsServer: https.Server | undefined,
    readonly url: string,
    readonly controllerId: string,
  ) {
    wss.on("connection", (socket: WebSocket, req: IncomingMessage) => {
      const eid = new URL(req.url ?? "/", "http://x").searchParams.get("eid") ?? undefined;
      const peer = new WsPeer(socket, controllerId, eid);
      this.peers.push(peer);
      const waiter = this.peerWaiters.find((w) => w.match(peer));
      if (waiter !== undefined) {
        this.peerWaiters = this.peerWaiters.filter((w) => w !== waiter);
        waiter.resolve(peer);
      }
    });
  }

  static async listen(options: WsControllerServerOptions): Promise<WsControllerServer> {
    const echo = options.echoSubprotocol ?? true;
    const handleProtocols = (protocols: Set<string>): string | false => (echo && protocols.has("v1.usp") ? "v1.usp" : false);
    let httpsServer: https.Server | undefined;
    let wss: WebSocketServer;
    if (options.tls !== undefined) {
      const { requestCert = false, ...tls } = options.tls;
      httpsServer = https.createServer({ ...tls, requestCert, rejectUnauthorized: requestCert });
      wss = new WebSocketServer({ server: httpsServer, handleProtocols });
      await new Promise<void>((resolve) => httpsServer?.listen(0, "127.0.0.1", resolve));
    } else {
      wss = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols });
      await new Promise<void>((resolve) => wss.once("listening", resolve));
    }
    const port = ((httpsServer ?? wss).address() as AddressInfo).port;
    const server = new WsControllerServer(wss, httpsServer, `${httpsServer !== undefined ? "wss" : "ws"}://127.0.0.1:${port}/usp/controller`, options.controllerId);
    wss.on("headers", () => {
      server.handshakes += 1;
    });
    return server;
  }

  /** The first connection (already open or future) matching. */
  waitForPeer(match: (p: WsPeer) => boolean, timeoutMs = 10_000): Promise<WsPeer> {
    const seen = this.peers.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching WebSocket connection within ${timeoutMs} ms`)), timeoutMs);
      this.peerWaiters.push({
        match,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.httpsServer !== undefined) await new Promise<void>((resolve) => this.httpsServer?.close(() => resolve()));
  }
}

/** A controller connecting to the gateway's WebSocket server (R-WS.6). Resolves
 * with the peer, or rejects with the HTTP status of a refused handshake. */
export function connectToGateway(
  url: string,
  controllerId: string,
  options: { protocols?: string[]; headers?: Record<string, string>; tls?: { ca: string } } = {},
): Promise<{ peer: WsPeer; extensions: string | undefined }> {
  return new Promise((resolve, reject) => {
    let extensions: string | undefined;
    const socket = new WebSocket(url, options.protocols ?? ["v1.usp"], { headers: options.headers ?? {}, perMessageDeflate: false, ...(options.tls ?? {}) });
    socket.on("upgrade", (res) => {
      // Read (and take away) the bbf-usp-protocol answer, which ws would refuse.
      const header = res.headers["sec-websocket-extensions"];
      extensions = Array.isArray(header) ? header.join(",") : header;
      delete res.headers["sec-websocket-extensions"];
    });
    // Records can arrive right after the handshake: the peer listens from the start.
    const peer = new WsPeer(socket, controllerId, undefined);
    socket.once("open", () => resolve({ peer, extensions }));
    socket.once("unexpected-response", (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      socket.terminate();
    });
    socket.once("error", (err) => reject(err));
  });
}
