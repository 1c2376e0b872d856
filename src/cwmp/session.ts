// The CWMP session engine as a pure transition (TR-069 §3.7.1, §2.2 of
// reference/cwmp.md): Inform first → InformResponse → CPE requests → empty
// POST → ACS requests, one at a time → 204. State is plain data (no sockets),
// so it can be kept in the store and resumed on another connection.
import type {
  AcsRequest,
  CpeRequest,
  CpeResponse,
  CwmpBody,
  CwmpEnvelope,
  Inform,
  RpcOutcome,
} from "./rpc.js";

export type SessionState =
  /** InformResponse sent; the CPE may send its own requests until its empty POST. */
  | { phase: "cpeTurn" }
  /** An ACS request is out; the next POST must carry its response or a fault. */
  | { phase: "awaitingResponse"; requestId: string; request: AcsRequest }
  | { phase: "closed" };

export interface CwmpSession {
  /** Also the session cookie's value. */
  id: string;
  endpointId: string;
  /** The cwmp namespace URI the CPE used; every reply echoes it (freeacs#222). */
  cwmpNamespace: string;
  /** Set when the CPE offered SupportedCWMPVersions (CWMP 1.4). */
  useCwmpVersion?: string;
  state: SessionState;
  rpcCount: number;
  startedAt: number;
  lastActivityAt: number;
}

export type SessionStep =
  /** Answer the CPE's request with this envelope (HTTP 200). */
  | { kind: "reply"; session: CwmpSession; envelope: CwmpEnvelope; cpeRequest: CpeRequest | null }
  /** The CPE answered our request; the caller picks the next one or ends. */
  | { kind: "rpcOutcome"; session: CwmpSession; request: AcsRequest; outcome: RpcOutcome; warnings: string[] }
  /** The CPE has no more requests (empty POST); the caller picks an ACS request or ends. */
  | { kind: "acsTurn"; session: CwmpSession }
  /** Out-of-order message: HTTP 400 and the session is over (netcwmp#5). */
  | { kind: "badState"; session: CwmpSession; message: string };

export type SessionInput = { kind: "empty" } | { kind: "envelope"; envelope: CwmpEnvelope };

const SUPPORTED_CWMP_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4"];

/** Methods the ACS side implements for the CPE (TR-069 A.3.1.1, A.3.3). */
export const ACS_RPC_METHODS = [
  "Inform",
  "GetRPCMethods",
  "TransferComplete",
  "AutonomousTransferComplete",
  "DUStateChangeComplete",
  "AutonomousDUStateChangeComplete",
  "RequestDownload",
  "Kicked",
];

/** Opens a session for a validated Inform and builds its InformResponse. */
export function startSession(args: {
  sessionId: string;
  endpointId: string;
  envelope: CwmpEnvelope;
  inform: Inform;
  now: number;
}): { session: CwmpSession; envelope: CwmpEnvelope } {
  const useCwmpVersion = negotiateVersion(args.envelope.header.supportedCwmpVersions);
  const session: CwmpSession = {
    id: args.sessionId,
    endpointId: args.endpointId,
    cwmpNamespace: args.envelope.cwmpNamespace,
    ...(useCwmpVersion !== undefined ? { useCwmpVersion } : {}),
    state: { phase: "cpeTurn" },
    rpcCount: 0,
    startedAt: args.now,
    lastActivityAt: args.now,
  };
  // MaxEnvelopes: the CPE sends 1 and the ACS must answer 1 (TR-069 A.3.3.1).
  return { session, envelope: envelopeFor(session, args.envelope.header.id, { method: "InformResponse", maxEnvelopes: 1 }) };
}

/** Highest version both sides support (TR-069 Amd 5 §3.4.1 / A.3.3.1). */
export function negotiateVersion(supported: string | undefined): string | undefined {
  if (supported === undefined) return undefined;
  const offered = new Set(supported.split(",").map((v) => v.trim()));
  return [...SUPPORTED_CWMP_VERSIONS].reverse().find((v) => offered.has(v));
}

/** One POST from the CPE within an open session. */
export function receive(session: CwmpSession, input: SessionInput, now: number): SessionStep {
  const active: CwmpSession = { ...session, lastActivityAt: now };
  const state = session.state;
  switch (state.phase) {
    case "closed":
      return { kind: "badState", session: close(active), message: "session is closed" };
    case "cpeTurn":
      if (input.kind === "empty") return { kind: "acsTurn", session: active };
      return receiveInCpeTurn(active, input.envelope);
    case "awaitingResponse":
      if (input.kind === "empty") {
        return { kind: "badState", session: close(active), message: `expected a response to ${state.request.method}, got an empty POST` };
      }
      return receiveResponse(active, state, input.envelope);
  }
}

function receiveInCpeTurn(session: CwmpSession, envelope: CwmpEnvelope): SessionStep {
  const body = envelope.body;
  if (isCpeResponse(body) || body.method === "Fault") {
    return { kind: "badState", session: close(session), message: `unexpected ${body.method}: no ACS request is outstanding` };
  }
  return answerCpeRequest(session, envelope);
}

/** Answers a CPE-originated request. Any state may take one: a tolerant ACS
 * answers rather than failing a session over message order. */
function answerCpeRequest(session: CwmpSession, envelope: CwmpEnvelope): SessionStep {
  const body = envelope.body;
  const id = envelope.header.id;
  switch (body.method) {
    case "Inform":
      return { kind: "badState", session: close(session), message: "Inform inside an open session" };
    case "GetRPCMethods":
      return reply(session, id, { method: "GetRPCMethodsResponse", methodList: ACS_RPC_METHODS }, body);
    case "TransferComplete":
      return reply(session, id, { method: "TransferCompleteResponse" }, body);
    // TR-069 A.3.3.3-A.3.3.7: empty acknowledgements; what they report is the
    // caller's business (cpeRequest).
    case "AutonomousTransferComplete":
      return reply(session, id, { method: "AutonomousTransferCompleteResponse" }, body);
    case "DUStateChangeComplete":
      return reply(session, id, { method: "DUStateChangeCompleteResponse" }, body);
    case "AutonomousDUStateChangeComplete":
      return reply(session, id, { method: "AutonomousDUStateChangeCompleteResponse" }, body);
    case "RequestDownload":
      return reply(session, id, { method: "RequestDownloadResponse" }, body);
    case "Kicked":
      // KickedResponse.NextURL: where the CPE sends the user's browser; the
      // gateway has no web portal, so it is the page the user was going to.
      return reply(session, id, { method: "KickedResponse", nextUrl: body.next }, body);
    default:
      // TR-069 A.4: an ACS answers methods it does not implement with fault 8000.
      return reply(
        session,
        id,
        {
          method: "Fault",
          faultcode: "Client",
          faultstring: "CWMP fault",
          fault: { faultCode: 8000, faultString: `Method not supported: ${methodName(body)}`, setParameterValuesFaults: [] },
        },
        null,
      );
  }
}

function receiveResponse(
  session: CwmpSession,
  state: Extract<SessionState, { phase: "awaitingResponse" }>,
  envelope: CwmpEnvelope,
): SessionStep {
  const body = envelope.body;
  if (!isCpeResponse(body) && body.method !== "Fault") return answerCpeRequest(session, envelope);
  const warnings: string[] = [];
  // Some CPEs echo a wrong or empty cwmp:ID (genieacs#82 sends "inform"); the
  // response's method still tells which request it answers.
  if (envelope.header.id !== state.requestId) warnings.push(`response ID "${envelope.header.id}" does not match request ID "${state.requestId}"`);
  const next: CwmpSession = { ...session, state: { phase: "cpeTurn" } };
  if (body.method === "Fault") {
    return { kind: "rpcOutcome", session: next, request: state.request, outcome: { ok: false, fault: body.fault }, warnings };
  }
  if (body.method !== `${state.request.method}Response`) {
    return { kind: "badState", session: close(session), message: `expected ${state.request.method}Response, got ${body.method}` };
  }
  return { kind: "rpcOutcome", session: next, request: state.request, outcome: { ok: true, response: body }, warnings };
}

/** Sends the next ACS request; the reply to it must come in the next POST. */
export function sendRequest(session: CwmpSession, request: AcsRequest, now: number): { session: CwmpSession; envelope: CwmpEnvelope } {
  const rpcCount = session.rpcCount + 1;
  const requestId = `${session.id.slice(0, 8)}-${rpcCount}`;
  const next: CwmpSession = { ...session, rpcCount, lastActivityAt: now, state: { phase: "awaitingResponse", requestId, request } };
  return { session: next, envelope: envelopeFor(next, requestId, request) };
}

/** The ACS has nothing more: the caller answers 204 (TR-069 §3.7.1.4). */
export function close(session: CwmpSession): CwmpSession {
  return { ...session, state: { phase: "closed" } };
}

function reply(session: CwmpSession, id: string, body: CwmpBody, cpeRequest: CpeRequest | null): SessionStep {
  return { kind: "reply", session, envelope: envelopeFor(session, id, body), cpeRequest };
}

function envelopeFor(session: Pick<CwmpSession, "cwmpNamespace" | "useCwmpVersion">, id: string, body: CwmpBody): CwmpEnvelope {
  return {
    cwmpNamespace: session.cwmpNamespace,
    header: { id, ...(session.useCwmpVersion !== undefined && body.method === "InformResponse" ? { useCwmpVersion: session.useCwmpVersion } : {}) },
    body,
  };
}

/** A Record so the compiler checks that every CpeResponse is listed. */
const CPE_RESPONSE_METHODS: Readonly<Record<CpeResponse["method"], true>> = {
  GetRPCMethodsResponse: true,
  GetParameterNamesResponse: true,
  GetParameterValuesResponse: true,
  SetParameterValuesResponse: true,
  AddObjectResponse: true,
  DeleteObjectResponse: true,
  RebootResponse: true,
  FactoryResetResponse: true,
  SetParameterAttributesResponse: true,
  GetParameterAttributesResponse: true,
  DownloadResponse: true,
  UploadResponse: true,
  ScheduleDownloadResponse: true,
  CancelTransferResponse: true,
  ChangeDUStateResponse: true,
  ScheduleInformResponse: true,
  GetQueuedTransfersResponse: true,
  GetAllQueuedTransfersResponse: true,
};

function isCpeResponse(body: CwmpBody): body is CpeResponse {
  return Object.hasOwn(CPE_RESPONSE_METHODS, body.method);
}

function methodName(body: CwmpBody): string {
  return body.method === "Unknown" ? body.name : body.method;
}
