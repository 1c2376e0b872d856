// Inbound USP Records → virtual agents. Checks, in the order R-MTP.5 implies:
// the Record decodes, it addresses a known agent, it carries a plain
// (no-session-context) Msg, the Msg decodes, and it is a request an agent
// takes. Anything that fails before a reply address and msg_id are known is
// dropped with a debug log; afterwards the controller gets a USP Error.
import type { Logger } from "pino";
import { decodeMsg, decodeRecord } from "../usp/decode.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { Msg, Request, UspRecord } from "../usp/messages.js";
import type { ReplyAddress } from "../store/store.js";
import type { UspReply } from "../translate/plan.js";
import { AGENT_SUPPORTED_PROTOCOL_VERSIONS } from "./reply.js";

export interface InboundRequest {
  endpointId: string;
  controllerId: string;
  msgId: string;
  request: Request;
  replyTo: ReplyAddress;
  recordVersion: string;
}

export interface RequestRouterDeps {
  logger: Logger;
  isKnownAgent(endpointId: string): Promise<boolean>;
  /** A configured controller's own address (used when a request carries no
   * reply-to, as MQTT 3.1.1 clients such as usp-js do); undefined for an
   * endpoint that is not a configured controller. */
  controllerAddress(controllerId: string): ReplyAddress | undefined;
  /** Sends an immediate answer. */
  reply(args: { endpointId: string; controllerId: string; msgId: string; replyTo: ReplyAddress; recordVersion: string }, reply: UspReply): Promise<void>;
  /** Sends a DisconnectRecord (used to refuse Session Context, R-E2E.6a). */
  disconnect(args: { endpointId: string; controllerId: string; replyTo: ReplyAddress; reasonCode: number; reason: string }): Promise<void>;
  /** Counts Records dropped without an answer (metrics). */
  dropped(reason: "undecodable-record" | "unknown-agent" | "unknown-controller" | "undecodable-msg"): void;
  /** A controller acknowledged one of our Notifies (R-NOT.10). */
  notifyResp(endpointId: string, msgId: string): void;
  /** Takes a request that must reach the CPE. */
  accept(request: InboundRequest): Promise<void>;
}

export class RequestRouter {
  constructor(private readonly deps: RequestRouterDeps) {}

  async onRecord(bytes: Uint8Array, replyTo: ReplyAddress | null): Promise<void> {
    const { logger } = this.deps;
    const decoded = decodeRecord(bytes);
    if (!decoded.ok) {
      logger.debug({ reason: decoded.error }, "dropped undecodable USP Record");
      this.deps.dropped("undecodable-record");
      return;
    }
    const record = decoded.record;
    if (!(await this.deps.isKnownAgent(record.toId))) {
      logger.debug({ toId: record.toId, fromId: record.fromId }, "dropped USP Record for an unknown agent (R-MTP.5)");
      this.deps.dropped("unknown-agent");
      return;
    }
    const knownController = this.deps.controllerAddress(record.fromId);
    if (knownController === undefined) {
      // Only configured controllers are served; anything else is dropped
      // without an answer (R-MTP.5: the sender is not one we accept).
      logger.warn({ toId: record.toId, fromId: record.fromId }, "dropped USP Record from an endpoint that is not a configured controller");
      this.deps.dropped("unknown-controller");
      return;
    }
    const address = replyTo ?? knownController;
    await this.route(record, address);
  }

  private async route(record: UspRecord, replyTo: ReplyAddress): Promise<void> {
    const endpointId = record.toId;
    const controllerId = record.fromId;
    const recordType = record.recordType;
    switch (recordType.type) {
      case "noSessionContext":
        return this.routeMsg(record, recordType.payload, replyTo);
      case "sessionContext":
        // The gateway does not offer E2E Session Context (R-E2E.6a).
        return this.deps.disconnect({ endpointId, controllerId, replyTo, reasonCode: USP_ERR.SESSION_CONTEXT_NOT_ALLOWED, reason: "Session Context not allowed" });
      case "websocketConnect":
      case "mqttConnect":
      case "stompConnect":
      case "disconnect":
      case "udsConnect":
        this.deps.logger.debug({ endpointId, controllerId, type: recordType.type }, "controller connect/disconnect record");
        return;
    }
  }

  private async routeMsg(record: UspRecord, payload: Uint8Array, replyTo: ReplyAddress): Promise<void> {
    const context = { endpointId: record.toId, controllerId: record.fromId, replyTo, recordVersion: record.version };
    const decoded = decodeMsg(payload);
    if (!decoded.ok) {
      // A Msg whose msg_id can be read gets an Error back (R-MTP.5); R-ENC.5
      // names 7004 for a oneof violation, the usual way a Msg is malformed.
      if (decoded.msgId === undefined) {
        this.deps.logger.debug({ ...context, reason: decoded.error }, "dropped undecodable USP Msg");
        this.deps.dropped("undecodable-msg");
        return;
      }
      await this.deps.reply({ ...context, msgId: decoded.msgId }, errorReply(USP_ERR.INVALID_ARGUMENTS, `malformed USP Msg: ${decoded.error}`));
      return;
    }
    await this.routeBody(context, decoded.msg);
  }

  private async routeBody(context: Omit<InboundRequest, "msgId" | "request">, msg: Msg): Promise<void> {
    const msgId = msg.header.msgId;
    const body = msg.body;
    if (body.kind === "response" && body.response.type === "notifyResp") {
      this.deps.notifyResp(context.endpointId, msgId);
      return;
    }
    if (body.kind !== "request") {
      // Only NotifyResp answers anything an agent sends; other responses and errors are logged.
      this.deps.logger.debug({ ...context, msgId, kind: body.kind }, "ignored non-request USP Msg");
      return;
    }
    const request = body.request;
    switch (request.type) {
      case "getSupportedProtocol":
        // Answered by the gateway itself: no need to wake the CPE.
        await this.deps.reply({ ...context, msgId }, {
          kind: "response",
          response: { type: "getSupportedProtocolResp", getSupportedProtocolResp: { agentSupportedProtocolVersions: AGENT_SUPPORTED_PROTOCOL_VERSIONS } },
        });
        return;
      case "notify":
      case "register":
      case "deregister":
        // Agent→controller (Notify) or Service→Broker (Register/Deregister) messages: an agent does not take them.
        await this.deps.reply({ ...context, msgId }, errorReply(USP_ERR.MESSAGE_NOT_SUPPORTED, `${request.type} is not a message a USP Agent accepts`));
        return;
      case "get":
      case "set":
      case "add":
      case "delete":
      case "getInstances":
      case "getSupportedDm":
      case "operate":
        await this.deps.accept({ ...context, msgId, request });
        return;
    }
  }
}

function errorReply(code: number, message: string): UspReply {
  return { kind: "error", error: uspError(code, message) };
}
