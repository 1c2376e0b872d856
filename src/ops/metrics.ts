// Prometheus metrics (prom-client). One registry per gateway instance, so
// several gateways in one process (tests) never mix their figures. Names
// follow Prometheus conventions: a cwmp2usp_ prefix, _total for counters,
// base units (seconds).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface MetricsSources {
  openSessions(): number;
  pendingRequests(): number;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly informs: Counter<"event">;
  readonly sessionsEnded: Counter<"reason">;
  readonly rpcs: Counter<"method" | "result">;
  readonly cpeFaults: Counter<"method" | "code">;
  readonly connectionRequests: Counter<"outcome">;
  readonly uspRequests: Counter<"type">;
  readonly uspReplies: Counter<"type" | "result">;
  readonly uspRecordsDropped: Counter<"reason">;
  readonly uspRequestSeconds: Histogram<"type">;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "cwmp2usp_" });
    this.informs = new Counter({ name: "cwmp2usp_cwmp_informs_total", help: "CWMP Informs accepted, by event code", labelNames: ["event"], registers });
    this.sessionsEnded = new Counter({ name: "cwmp2usp_cwmp_sessions_total", help: "CWMP sessions ended, by reason", labelNames: ["reason"], registers });
    this.rpcs = new Counter({ name: "cwmp2usp_cwmp_rpcs_total", help: "ACS→CPE RPCs completed, by method and result (ok or fault)", labelNames: ["method", "result"], registers });
    this.cpeFaults = new Counter({ name: "cwmp2usp_cwmp_faults_total", help: "CWMP faults returned by CPEs, by method and fault code", labelNames: ["method", "code"], registers });
    this.connectionRequests = new Counter({ name: "cwmp2usp_connection_requests_total", help: "Connection Requests sent, by outcome", labelNames: ["outcome"], registers });
    this.uspRequests = new Counter({ name: "cwmp2usp_usp_requests_total", help: "USP requests accepted from controllers, by message type", labelNames: ["type"], registers });
    this.uspReplies = new Counter({ name: "cwmp2usp_usp_replies_total", help: "USP replies sent, by request type and result (response or error code)", labelNames: ["type", "result"], registers });
    this.uspRecordsDropped = new Counter({ name: "cwmp2usp_usp_records_dropped_total", help: "Inbound USP Records dropped without an answer, by reason", labelNames: ["reason"], registers });
    this.uspRequestSeconds = new Histogram({
      name: "cwmp2usp_usp_request_duration_seconds",
      help: "Time from accepting a USP request to sending its reply, including any Connection Request",
      labelNames: ["type"],
      // From an in-session RPC (tens of ms) to a CPE woken by Connection Request (seconds).
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    new Gauge({ name: "cwmp2usp_cwmp_sessions_open", help: "CWMP sessions open on this instance", registers, collect(): void {
      this.set(sources.openSessions());
    } });
    new Gauge({ name: "cwmp2usp_usp_requests_pending", help: "USP requests accepted by this instance and not yet answered", registers, collect(): void {
      this.set(sources.pendingRequests());
    } });
  }
}
