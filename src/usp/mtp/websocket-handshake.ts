// The pure parts of the WebSocket binding (TR-369 "WebSocket Binding"): the
// subprotocol, where Endpoint IDs go in the handshake, and the session retry
// schedule. No I/O: the MTP files do the sockets.

/** R-WS.9: the subprotocol for USP Records in protobuf encoding. */
export const USP_WS_SUBPROTOCOL = "v1.usp";

/** The deprecated (TR-369 1.3) extension that carried an endpoint's id
 * (R-WS.10a/R-WS.11a); still tolerated in both roles (issue 3). */
export const BBF_USP_EXTENSION = "bbf-usp-protocol";

/** RFC 6455 §7.4.1 status codes the binding uses. */
export const WS_CLOSE = {
  /** R-WS.16: a frame whose Record cannot be extracted. */
  UNSUPPORTED_DATA: 1003,
  /** Shutdown: the endpoint is going away. */
  GOING_AWAY: 1001,
  /** The peer broke a rule of the binding (wrong endpoint in a Record). */
  POLICY_VIOLATION: 1008,
} as const;

/** R-WS.10b/R-WS.10c: the client's Endpoint ID as the `eid` query value.
 * Percent-encoded so that "%" becomes "%25" (doc::agent%21 → doc::agent%2521);
 * ":" stays readable as in the spec's examples. */
export function encodeEidQueryValue(endpointId: string): string {
  return encodeURIComponent(endpointId).replace(/%3A/gi, ":");
}

/** The URL an agent connects to: the controller's URL plus `eid=<agent>`,
 * joined to any query it already has with "&" (R-WS.10b). */
export function agentClientUrl(controllerUrl: string, agentEndpointId: string): string {
  const hashAt = controllerUrl.indexOf("#");
  const base = hashAt >= 0 ? controllerUrl.slice(0, hashAt) : controllerUrl;
  const separator = base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
  return `${base}${separator}eid=${encodeEidQueryValue(agentEndpointId)}`;
}

/** The `eid` of a `bbf-usp-protocol` extension offer or answer, e.g.
 * `bbf-usp-protocol; eid="proto::ctl"`; undefined when the header lacks it. */
export function bbfExtensionEid(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const offer of header.split(",")) {
    const [name, ...params] = offer.split(";").map((part) => part.trim());
    if (name?.toLowerCase() !== BBF_USP_EXTENSION) continue;
    for (const param of params) {
      const match = /^eid\s*=\s*(?:"([^"]*)"|(\S+))$/i.exec(param);
      if (match !== null) return match[1] ?? match[2];
    }
  }
  return undefined;
}

/** True when a Sec-WebSocket-Extensions header offers only the bbf extension. */
export function onlyBbfExtension(header: string): boolean {
  return header.split(",").every((offer) => (offer.split(";")[0] ?? "").trim().toLowerCase() === BBF_USP_EXTENSION);
}

export function bbfExtensionHeader(endpointId: string): string {
  return `${BBF_USP_EXTENSION}; eid="${endpointId}"`;
}

/** The resource path of one virtual agent on the gateway's WebSocket server:
 * each agent is its own resource (R-WS.2), `<base>/<agent endpoint id>`. */
export function agentResourcePath(basePath: string, agentEndpointId: string): string {
  return `${basePath.replace(/\/+$/, "")}/${encodeURIComponent(agentEndpointId)}`;
}

/** The agent a request path names, or undefined if it is not below `basePath`. */
export function agentFromResourcePath(basePath: string, pathname: string): string | undefined {
  const prefix = `${basePath.replace(/\/+$/, "")}/`;
  if (!pathname.startsWith(prefix)) return undefined;
  const rest = pathname.slice(prefix.length);
  if (rest === "" || rest.includes("/")) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/** The subprotocols a client offers (Sec-WebSocket-Protocol, comma-separated). */
export function offeredSubprotocols(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

export interface RetryPolicy {
  /** m: SessionRetryMinimumWaitInterval, in ms (default 5 s). */
  minimumWaitMs: number;
  /** k: SessionRetryIntervalMultiplier, in thousandths (default 2000). */
  intervalMultiplier: number;
}

/** R-WS.19: the wait before retry `retryCount` (1-based) is a random value
 * between m·(k/1000)^(n-1) and m·(k/1000)^n, with n capped at 10 (from the
 * tenth retry on the range stays 2560–5120 s with the defaults). `random` is
 * injected (a value in [0, 1)) so the schedule is testable. */
export function retryWaitMs(retryCount: number, policy: RetryPolicy, random: number): number {
  const n = Math.min(Math.max(retryCount, 1), 10);
  const factor = policy.intervalMultiplier / 1000;
  const low = policy.minimumWaitMs * factor ** (n - 1);
  const high = policy.minimumWaitMs * factor ** n;
  return Math.round(low + (high - low) * random);
}
