// ValueChange through CWMP active notification: a ValueChange subscription
// makes the gateway set Notification=2 on the matching CPE parameters with
// SetParameterAttributes (TR-069 A.3.2.4), so the CPE informs "4 VALUE
// CHANGE" by itself — no polling (obuspa polls, peers.md) — and the gateway
// clears the attribute once no subscription needs it any more.
import type { AcsRequest, RpcOutcome } from "../../cwmp/rpc.js";
import type { GatewayTask } from "../gateway-tasks.js";
import { LOCAL_AGENT_ROOT } from "../local-agent/local-agent-model.js";
import type { Subscription } from "./subscriptions.js";

/** Notification attribute values (TR-069 A.3.2.4). */
const ACTIVE = 2;
const OFF = 0;

/** The CWMP names to set active for the ValueChange subscriptions: exact
 * parameters and object paths as they are (SetParameterAttributes takes
 * partial paths); a wildcard or search expression is widened to the object
 * above it, since CWMP has neither — the gateway then filters the reported
 * changes by the subscription's own path. */
export function activeNotificationPaths(subscriptions: Subscription[], root = "Device."): string[] {
  const paths = new Set<string>();
  for (const s of subscriptions) {
    if (s.notifType !== "ValueChange") continue;
    for (const ref of s.referenceList) {
      if (!ref.startsWith(root) || ref.startsWith(LOCAL_AGENT_ROOT)) continue;
      const cut = firstSearchSegment(ref);
      paths.add(cut === undefined ? ref : ref.slice(0, cut));
    }
  }
  return [...paths].sort();
}

/** Index just after the last "." before the first `*` or `[`, or undefined. */
function firstSearchSegment(path: string): number | undefined {
  const at = path.search(/[*[]/);
  if (at < 0) return undefined;
  return path.lastIndexOf(".", at - 1) + 1;
}

export interface AttributeChange {
  activate: string[];
  deactivate: string[];
}

export function attributeChanges(applied: string[], desired: string[]): AttributeChange {
  const a = new Set(applied);
  const d = new Set(desired);
  return { activate: desired.filter((p) => !a.has(p)), deactivate: applied.filter((p) => !d.has(p)) };
}

/** A gateway task applying the changes: one SetParameterAttributes for all of
 * them; if the CPE refuses it (e.g. 9009 for one parameter, or 9005 for a path
 * it lacks), each path is tried alone so the others still take effect. Reports
 * the paths that ended up active. */
export function attributeTask(change: AttributeChange, applied: string[], done: (active: string[]) => void, abandoned: () => void): GatewayTask {
  const entries = [...change.activate.map((name) => ({ name, notification: ACTIVE })), ...change.deactivate.map((name) => ({ name, notification: OFF }))];
  const active = new Set(applied.filter((p) => !change.deactivate.includes(p)));
  let phase: "batch" | "single" | "done" = "batch";
  const spa = (list: typeof entries): AcsRequest => ({
    method: "SetParameterAttributes",
    parameterList: list.map((e) => ({ name: e.name, notificationChange: true, notification: e.notification, accessListChange: false, accessList: [] })),
  });
  const apply = (list: typeof entries, outcomes: RpcOutcome[]): void => {
    list.forEach((e, i) => {
      if (outcomes[i]?.ok === true && e.notification === ACTIVE) active.add(e.name);
    });
  };
  return {
    label: `notification attributes (+${change.activate.length} / -${change.deactivate.length})`,
    next(outcomes): AcsRequest[] | undefined {
      if (phase === "batch" && outcomes.length === 0) return entries.length === 0 ? finish() : [spa(entries)];
      if (phase === "batch") {
        if (outcomes[0]?.ok === true) {
          for (const e of entries) if (e.notification === ACTIVE) active.add(e.name);
          return finish();
        }
        phase = "single";
        return entries.map((e) => spa([e]));
      }
      if (phase === "single") apply(entries, outcomes);
      return finish();
    },
    abandoned,
  };
  function finish(): undefined {
    phase = "done";
    done([...active].sort());
    return undefined;
  }
}
