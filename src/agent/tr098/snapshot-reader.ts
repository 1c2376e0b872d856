// Reads a TR-098 CPE's whole tree in as few RPCs as its quirks allow:
// GetParameterNames of the root (names and writability, objects included),
// then GetParameterValues of the root, or, for CPEs that cannot take a
// partial path (vendor overlay partialPathGpv: false), of every parameter
// name in batches of gpvBatchSize. A step machine: the bridge sends what
// first() and feed() return and feeds back each outcome.
import type { AcsRequest, CwmpFault, RpcOutcome } from "../../cwmp/rpc.js";
import type { DeviceProfile } from "../../translate/plan.js";
import { TR098_ROOT, type Tr098Snapshot } from "../../translate/tr098/view.js";

export type ReadStep = { kind: "send"; rpc: AcsRequest } | { kind: "done"; snapshot: Tr098Snapshot } | { kind: "failed"; fault: CwmpFault };

export class SnapshotReader {
  private readonly writable = new Map<string, boolean>();
  private readonly values = new Map<string, { value: string; type: string }>();
  private batches: string[][] = [];
  private phase: "names" | "values" = "names";

  constructor(private readonly profile: DeviceProfile) {}

  first(): AcsRequest {
    return { method: "GetParameterNames", parameterPath: TR098_ROOT, nextLevel: false };
  }

  feed(outcome: RpcOutcome): ReadStep {
    if (this.phase === "names") {
      this.phase = "values";
      if (!outcome.ok) return { kind: "failed", fault: outcome.fault };
      if (outcome.response.method === "GetParameterNamesResponse") {
        for (const p of outcome.response.parameterList) this.writable.set(p.name, p.writable);
      }
      if (this.profile.partialPathGpv) {
        this.batches = [[TR098_ROOT]];
      } else {
        const names = [...this.writable.keys()].filter((n) => !n.endsWith("."));
        const size = Math.max(1, Math.floor(this.profile.gpvBatchSize));
        for (let i = 0; i < names.length; i += size) this.batches.push(names.slice(i, i + size));
      }
      return this.next();
    }
    if (!outcome.ok) return { kind: "failed", fault: outcome.fault };
    if (outcome.response.method === "GetParameterValuesResponse") {
      for (const p of outcome.response.parameterList) this.values.set(p.name, { value: p.value, type: p.type });
    }
    return this.next();
  }

  private next(): ReadStep {
    const batch = this.batches.shift();
    if (batch === undefined) return { kind: "done", snapshot: { values: this.values, writable: this.writable } };
    return { kind: "send", rpc: { method: "GetParameterValues", parameterNames: batch } };
  }
}
