// One WebSocket session between one virtual agent and one controller
// (R-WS.4), whichever side opened it: binary frames in and out, the checks
// R-WS.16 asks of every frame, and the agent's keep-alive (R-WS.17).
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import WebSocket, { type RawData } from "ws";
import { decodeRecord } from "../decode.js";
import { encodeRecord } from "../encode.js";
import type { UspRecord } from "../messages.js";
import { WS_CLOSE } from "./websocket-handshake.js";

export type WsRole = "client" | "server";

export interface WsSessionEvents {
  /** A Record that decoded, addressed to this session's agent and from its controller. */
  record(session: WsSession, bytes: Uint8Array, record: UspRecord): void;
  /** The controller's endpoint id became known from its first Record (server role without `eid`). */
  identified(session: WsSession): void;
  closed(session: WsSession, code: number, reason: string): void;
}

export interface WsSessionOptions {
  socket: WebSocket;
  role: WsRole;
  agentEndpointId: string;
  /** Known from the handshake (configured URL, `eid` query or extension), else learnt from the first Record. */
  controllerEndpointId: string | undefined;
  keepAliveMs: number;
  logger: Logger;
  events: WsSessionEvents;
}

/** How long a Close handshake may take at shutdown before the socket is cut. */
const CLOSE_WAIT_MS = 2000;

export class WsSession {
  readonly id = randomBytes(8).toString("hex");
  readonly role: WsRole;
  readonly agentEndpointId: string;
  private controllerId: string | undefined;
  private readonly socket: WebSocket;
  private readonly logger: Logger;
  private readonly events: WsSessionEvents;
  private readonly keepAlive: NodeJS.Timeout;
  private pongSeen = true;
  private closedAlready = false;

  constructor(options: WsSessionOptions) {
    this.role = options.role;
    this.agentEndpointId = options.agentEndpointId;
    this.controllerId = options.controllerEndpointId;
    this.socket = options.socket;
    this.events = options.events;
    this.logger = options.logger.child({ wsSession: this.id, endpointId: options.agentEndpointId });
    this.socket.on("message", (data, isBinary) => this.receive(data, isBinary));
    this.socket.on("pong", () => {
      this.pongSeen = true;
    });
    this.socket.on("error", (err) => this.logger.debug({ err: err.message }, "WebSocket error"));
    this.socket.on("close", (code, reason) => this.onClose(code, reason.toString("utf8")));
    // R-WS.17/R-WS.18: the agent pings at its configured interval; a peer that
    // has not answered the previous ping by the next one is gone. (Pings from
    // the peer are answered by ws itself.)
    this.keepAlive = setInterval(() => this.ping(), options.keepAliveMs);
    this.keepAlive.unref();
  }

  get controllerEndpointId(): string | undefined {
    return this.controllerId;
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** R-WS.14: one Record per binary data frame, not fragmented (R-WS.14a). */
  send(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen()) return Promise.reject(new Error("WebSocket session is not open"));
    return new Promise((resolve, reject) => {
      this.socket.send(bytes, { binary: true, fin: true }, (err) => (err === undefined || err === null ? resolve() : reject(err)));
    });
  }

  /** R-MTP.6: the WebSocketConnect record, the first Record on a new session. */
  sendConnectRecord(): Promise<void> {
    const controllerId = this.controllerId;
    if (controllerId === undefined) return Promise.resolve();
    return this.send(
      encodeRecord({ version: "1.4", toId: controllerId, fromId: this.agentEndpointId, payloadSecurity: "PLAINTEXT", recordType: { type: "websocketConnect" } }),
    );
  }

  /** Shutdown: a DisconnectRecord first (R-MTP.7), then the Close handshake
   * (R-WS.8) with 1001; resolves when the socket is closed or cut. */
  async disconnect(reason: string): Promise<void> {
    const controllerId = this.controllerId;
    if (this.isOpen() && controllerId !== undefined) {
      const record = encodeRecord({
        version: "1.4",
        toId: controllerId,
        fromId: this.agentEndpointId,
        payloadSecurity: "PLAINTEXT",
        // No Record error code means "endpoint going away"; 0 leaves reason_code unset.
        recordType: { type: "disconnect", reason, reasonCode: 0 },
      });
      await this.send(record).catch((err: unknown) => this.logger.debug({ err: (err as Error).message }, "DisconnectRecord not sent"));
    }
    await this.close(WS_CLOSE.GOING_AWAY, reason);
  }

  close(code: number, reason: string): Promise<void> {
    clearInterval(this.keepAlive);
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const cut = setTimeout(() => this.socket.terminate(), CLOSE_WAIT_MS);
      this.socket.once("close", () => {
        clearTimeout(cut);
        resolve();
      });
      this.socket.close(code, reason);
    });
  }

  private ping(): void {
    if (!this.isOpen()) return;
    if (!this.pongSeen) {
      this.logger.info("WebSocket peer did not answer the keep-alive ping; closing the session");
      this.socket.terminate();
      return;
    }
    this.pongSeen = false;
    this.socket.ping();
  }

  private receive(data: RawData, isBinary: boolean): void {
    // R-WS.16: anything that cannot be extracted as a Record (a text frame,
    // bytes that do not decode) ends the session with 1003.
    if (!isBinary) {
      this.logger.info("text frame on a USP WebSocket session: closing with 1003 (R-WS.14, R-WS.16)");
      void this.close(WS_CLOSE.UNSUPPORTED_DATA, "USP Records travel in binary frames");
      return;
    }
    const bytes = toBytes(data);
    const decoded = decodeRecord(bytes);
    if (!decoded.ok) {
      this.logger.info({ reason: decoded.error }, "unreadable USP Record: closing with 1003 (R-WS.16)");
      void this.close(WS_CLOSE.UNSUPPORTED_DATA, "USP Record could not be extracted");
      return;
    }
    const record = decoded.record;
    // A session joins one agent and one controller (R-WS.4): a Record for
    // another agent, or from another endpoint, is ignored (R-MTP.5).
    if (record.toId !== this.agentEndpointId) {
      this.logger.info({ toId: record.toId }, "dropped a Record for another agent on this WebSocket session (R-MTP.5)");
      return;
    }
    if (this.controllerId === undefined) {
      this.controllerId = record.fromId;
      this.events.identified(this);
    } else if (record.fromId !== this.controllerId) {
      this.logger.info({ fromId: record.fromId, controllerId: this.controllerId }, "dropped a Record from another endpoint on this WebSocket session (R-MTP.5)");
      return;
    }
    this.events.record(this, bytes, record);
  }

  private onClose(code: number, reason: string): void {
    clearInterval(this.keepAlive);
    if (this.closedAlready) return;
    this.closedAlready = true;
    this.events.closed(this, code, reason);
  }
}

/** ws hands over a Buffer, an ArrayBuffer or fragments; fragments are already
 * joined into one message for us (R-WS.14b). */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
