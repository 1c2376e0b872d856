// ObjectCreation / ObjectDeletion for changes the CPE makes on its own
// (a LAN host appears, a port mapping expires): CWMP has no such event, so at
// each session of a device with such subscriptions the gateway lists the
// subscribed tables (GetParameterNames) and compares the instances with the
// list it kept from last time (store agent rows). The first listing only sets
// the baseline. Changes the gateway made itself are folded into the baseline
// when it makes them, so they are notified once, from the Add/Delete reply.
import type { AcsRequest, RpcOutcome } from "../../cwmp/rpc.js";
import type { Store } from "../../store/store.js";
import type { GatewayTask } from "../gateway-tasks.js";
import { LOCAL_AGENT_ROOT } from "../local-agent/local-agent-model.js";
import { covers, type Subscription } from "./subscriptions.js";

const KNOWN = "cwmp2usp:KnownInstances";

/** The subtrees to list: each reference cut before its first wildcard or
 * search segment, and an instance reference widened to its table. */
export function watchedRoots(subscriptions: Subscription[]): string[] {
  const roots = new Set<string>();
  for (const s of subscriptions) {
    if (s.notifType !== "ObjectCreation" && s.notifType !== "ObjectDeletion") continue;
    for (const ref of s.referenceList) {
      if (!ref.startsWith("Device.") || ref.startsWith(LOCAL_AGENT_ROOT) || !ref.endsWith(".")) continue;
      const at = ref.search(/[*[]/);
      let root = at < 0 ? ref : ref.slice(0, ref.lastIndexOf(".", at - 1) + 1);
      if (/\.\d+\.$/.test(root)) root = root.replace(/\d+\.$/, "");
      roots.add(root);
    }
  }
  return [...roots].sort();
}

/** Instance object paths ("….3.") in a GetParameterNames listing. */
export function instancesIn(outcome: RpcOutcome | undefined): string[] {
  if (outcome?.ok !== true || outcome.response.method !== "GetParameterNamesResponse") return [];
  return outcome.response.parameterList.map((p) => p.name).filter((n) => /\.\d+\.$/.test(n));
}

export interface InstanceDiff {
  created: string[];
  deleted: string[];
}

export class InstanceWatch {
  constructor(private readonly store: Store) {}

  /** A task listing the roots; `report` gets what changed since the baseline
   * (nothing on the first listing of a root, which only sets the baseline). */
  task(endpointId: string, roots: string[], report: (diff: InstanceDiff) => void): GatewayTask {
    const rpcs: AcsRequest[] = roots.map((root) => ({ method: "GetParameterNames", parameterPath: root, nextLevel: false }));
    return {
      label: `instance lists of ${roots.join(", ")}`,
      next: (outcomes): AcsRequest[] | undefined => {
        if (outcomes.length === 0) return rpcs;
        void this.compare(endpointId, roots, outcomes).then(report);
        return undefined;
      },
    };
  }

  /** Folds the gateway's own Add/Delete results into the baseline. */
  async recordOwnChanges(endpointId: string, diff: InstanceDiff): Promise<void> {
    const rows = await this.store.getAgentRows(endpointId, KNOWN);
    if (rows.length === 0) return; // no baseline yet: the next listing sets it
    const known = new Set(rows.map((r) => r.values.Path ?? "").filter((p) => p !== ""));
    const roots = [...new Set(rows.map((r) => r.values.Root ?? "").filter((r) => r !== ""))];
    for (const path of diff.deleted) known.delete(path);
    for (const path of diff.created) if (roots.some((root) => path.startsWith(root))) known.add(path);
    await this.save(endpointId, known, roots);
  }

  private async compare(endpointId: string, roots: string[], outcomes: RpcOutcome[]): Promise<InstanceDiff> {
    const rows = await this.store.getAgentRows(endpointId, KNOWN);
    const knownRoots = new Set(rows.map((r) => r.values.Root ?? ""));
    const before = new Set(rows.map((r) => r.values.Path ?? ""));
    const now = new Set<string>();
    const diff: InstanceDiff = { created: [], deleted: [] };
    roots.forEach((root, i) => {
      const outcome = outcomes[i];
      // A failed listing (e.g. 9005: the table is gone) keeps the old baseline.
      const listed = outcome?.ok === true ? instancesIn(outcome) : [...before].filter((p) => p.startsWith(root));
      for (const p of listed) now.add(p);
      if (!knownRoots.has(root) || outcome?.ok !== true) return;
      diff.created.push(...listed.filter((p) => !before.has(p)));
      diff.deleted.push(...[...before].filter((p) => p.startsWith(root) && !listed.includes(p)));
    });
    await this.save(endpointId, now, roots);
    return diff;
  }

  private async save(endpointId: string, paths: Set<string>, roots: string[]): Promise<void> {
    // One marker row per root records that the root has a baseline, even when empty.
    const rows = [...roots.map((Root) => ({ Root })), ...[...paths].sort().map((Path) => ({ Path, Root: roots.find((r) => Path.startsWith(r)) ?? "" }))];
    await this.store.putAgentRows(endpointId, KNOWN, rows.map((values, i) => ({ instance: i + 1, values })));
  }
}

/** Subscribers to notify of a diff, by type. */
export function diffNotifications(subscriptions: Subscription[], diff: InstanceDiff): { subscription: Subscription; kind: "created" | "deleted"; path: string }[] {
  const out: { subscription: Subscription; kind: "created" | "deleted"; path: string }[] = [];
  for (const s of subscriptions) {
    if (s.notifType === "ObjectCreation") for (const p of diff.created) if (s.referenceList.some((ref) => covers(ref, p))) out.push({ subscription: s, kind: "created", path: p });
    if (s.notifType === "ObjectDeletion") for (const p of diff.deleted) if (s.referenceList.some((ref) => covers(ref, p))) out.push({ subscription: s, kind: "deleted", path: p });
  }
  return out;
}
