// ReferenceList entries with search expressions (TP-469 1.84), e.g.
// `Device.WiFi.Radio.[OperatingFrequencyBand=="5GHz"].Channel`. CWMP active
// notification cannot be set on an expression, so the gateway sets it on the
// object above (value-change-attributes.ts) and the CPE reports changes of
// every instance; which of them the expression matches needs the CPE's
// values. This module works out, for a reported path, which parameters decide
// it (`conditionsFor`), reads them in the same CWMP session (`readTask`, one
// GetParameterValues), and evaluates the comparisons as Get does
// (translate/expression.ts compare()).
import type { AcsRequest, ParameterValue, RpcOutcome } from "../../cwmp/rpc.js";
import { compare } from "../../translate/expression.js";
import { parsePath, type Comparison } from "../../usp/path.js";
import type { GatewayTask } from "../gateway-tasks.js";

/** The comparisons one instance of the reported path must meet: `instance`
 * is the concrete object ("Device.WiFi.Radio.2."), each comparison's
 * parameter relative to it. */
export interface Condition {
  instance: string;
  comparisons: readonly Comparison[];
}

export type Match =
  /** The reference covers the path whatever the values are. */
  | { kind: "always" }
  /** It covers the path if every condition holds. */
  | { kind: "if"; conditions: Condition[] }
  | { kind: "never" };

/** How `reference` covers the concrete `path`: equal or below an object
 * reference, `*` matching any instance number, a search expression matching
 * an instance number subject to its comparisons. A reference the gateway
 * cannot check this way (reference following, `+`, in the path or in a
 * comparison) is "always", as before search expressions were checked. */
export function matchReference(reference: string, path: string): Match {
  const parsed = parsePath(reference);
  if (!parsed.ok) return { kind: "never" };
  const segments = parsed.path.segments;
  const parts = path.split(".");
  if (path.endsWith(".")) parts.pop();
  const isObjectRef = reference.endsWith(".");
  if (isObjectRef ? parts.length < segments.length : parts.length !== segments.length) return { kind: "never" };
  const conditions: Condition[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i] ?? "";
    switch (seg?.kind) {
      case "name":
        if (seg.name !== part) return { kind: "never" };
        break;
      case "instance":
        if (String(seg.instance) !== part) return { kind: "never" };
        break;
      case "wildcard":
        if (!/^[1-9][0-9]*$/.test(part)) return { kind: "never" };
        break;
      case "search":
        if (!/^[1-9][0-9]*$/.test(part)) return { kind: "never" };
        if (seg.comparisons.some((c) => c.param.some((step) => step.follow !== null))) return { kind: "always" };
        conditions.push({ instance: `${parts.slice(0, i + 1).join(".")}.`, comparisons: seg.comparisons });
        break;
      default:
        return { kind: "always" };
    }
  }
  return conditions.length === 0 ? { kind: "always" } : { kind: "if", conditions };
}

/** The CWMP parameter names whose values decide `conditions`. */
export function conditionNames(conditions: Condition[]): string[] {
  const names = new Set<string>();
  for (const c of conditions) for (const cmp of c.comparisons) names.add(c.instance + cmp.param.map((s) => s.name).join("."));
  return [...names];
}

/** Whether every comparison holds with the values read; a parameter that
 * could not be read makes its comparison false (as Get's search does). */
export function conditionsHold(conditions: Condition[], values: ReadonlyMap<string, ParameterValue>): boolean {
  return conditions.every((c) =>
    c.comparisons.every((cmp) => {
      const v = values.get(c.instance + cmp.param.map((s) => s.name).join("."));
      return v !== undefined && compare(v.value, v.type, cmp.op, cmp.value);
    }),
  );
}

/** A gateway task reading `names` in the CPE's session: one GetParameterValues,
 * or one per name if the CPE faults the batch (TR-069 A.3.2.2: one unknown
 * name fails the whole call). */
export function readTask(label: string, names: string[], done: (values: Map<string, ParameterValue>) => void, abandoned: () => void): GatewayTask {
  let phase: "batch" | "single" = "batch";
  const gpv = (parameterNames: string[]): AcsRequest => ({ method: "GetParameterValues", parameterNames });
  const collect = (outcomes: RpcOutcome[]): Map<string, ParameterValue> => {
    const values = new Map<string, ParameterValue>();
    for (const o of outcomes) if (o.ok && o.response.method === "GetParameterValuesResponse") for (const pv of o.response.parameterList) values.set(pv.name, pv);
    return values;
  };
  return {
    label,
    next(outcomes): AcsRequest[] | undefined {
      if (outcomes.length === 0) return [gpv(names)];
      if (phase === "batch" && outcomes[0]?.ok !== true && names.length > 1) {
        phase = "single";
        return names.map((n) => gpv([n]));
      }
      done(collect(outcomes));
      return undefined;
    },
    abandoned,
  };
}
