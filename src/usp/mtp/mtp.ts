// The contract every MTP (Message Transfer Protocol) implements. Inbound
// Records go to one handler with an opaque reply address; the core answers
// through `send` and never learns which transport carried the request
// (the obuspa MTP contract, STYLE.md §2 src/usp/).
import type { ReplyAddress } from "../../store/store.js";

export type { ReplyAddress };

export type RecordHandler = (bytes: Uint8Array, replyTo: ReplyAddress | null) => void;

export interface Mtp {
  readonly name: string;
  start(): Promise<void>;
  /** True while the channel is up (readiness probe). */
  isConnected(): boolean;
  stop(): Promise<void>;
  /** Inbound USP Records, whatever their to_id: filtering is the core's job (R-MTP.5). */
  onRecord(handler: RecordHandler): void;
  /** Called each time the channel is (re)established: agents then send their
   * Connect records again (R-MTP.6). */
  onChannelUp(handler: () => void): void;
  /** Sends a Record from one virtual agent. */
  send(from: string, to: ReplyAddress, bytes: Uint8Array): Promise<void>;
  /** Sends the MTP's Connect record (e.g. MQTTConnectRecord) from an agent to a controller. */
  sendConnectRecord(agentEndpointId: string, controllerEndpointId: string, to: ReplyAddress): Promise<void>;
}
