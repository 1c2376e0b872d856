// The contract every MTP (Message Transfer Protocol) implements. Inbound
// Records go to one handler with an opaque reply address; the core answers
// through `send` and never learns which transport carried the request
// (the obuspa MTP contract, STYLE.md §2 src/usp/).
import type { ReplyAddress } from "../../store/store.js";

export type { ReplyAddress };

export type MtpName = ReplyAddress["mtp"];

export type RecordHandler = (bytes: Uint8Array, replyTo: ReplyAddress | null) => void;

export interface Mtp {
  readonly name: MtpName;
  start(): Promise<void>;
  /** True while the channel is up (readiness probe). */
  isConnected(): boolean;
  /** Leaves cleanly: MQTT DISCONNECT (R-MQTT.35), a DisconnectRecord and a
   * Close frame on every WebSocket session (R-MTP.7). */
  stop(): Promise<void>;
  /** Inbound USP Records, whatever their to_id: filtering is the core's job (R-MTP.5). */
  onRecord(handler: RecordHandler): void;
  /** Called each time the channel is (re)established: agents then send their
   * Connect records again (R-MTP.6). */
  onChannelUp(handler: () => void): void;
  /** Sends a Record from one virtual agent. */
  send(from: string, to: ReplyAddress, bytes: Uint8Array): Promise<void>;
  /** Announces an agent to a controller reachable on this MTP (R-MTP.6).
   * MQTT publishes the MQTTConnect record at once. WebSocket opens the agent's
   * own session to the controller unless one is already open or being
   * retried (R-WS.4, R-WS.5) and sends the WebSocketConnect record on it after
   * every handshake; calling it again is harmless. */
  sendConnectRecord(agentEndpointId: string, controllerEndpointId: string, to: ReplyAddress): Promise<void>;
}

/** The MTP that carries `address`, from the gateway's list. */
export function mtpFor(mtps: readonly Mtp[], address: ReplyAddress): Mtp {
  const mtp = mtps.find((m) => m.name === address.mtp);
  if (mtp === undefined) throw new Error(`no ${address.mtp} MTP is configured`);
  return mtp;
}
