// Which Device.LocalAgent.Subscription rows a change concerns (TR-369
// "Notifications and Subscriptions"; reference/usp.md §5, ReferenceList
// meaning per NotifType). Pure functions over the agent's local tree.
import type { LocalTree } from "../local-agent/local-tree.js";
import { SUBSCRIPTION_TABLE } from "../local-agent/local-agent-model.js";
import { isStaleSubscription } from "../local-agent/subscription-lifetime.js";
import { TRIGGER_ACTIONS, type TriggerAction } from "./trigger-config.js";

export type NotifType = "ValueChange" | "ObjectCreation" | "ObjectDeletion" | "OperationComplete" | "Event";

export interface Subscription {
  instance: number;
  /** Copied into Notify.subscription_id (R-NOT.7). */
  id: string;
  /** Path of the recipient Controller row, e.g. "Device.LocalAgent.Controller.1". */
  recipient: string;
  notifType: string;
  referenceList: string[];
  notifRetry: boolean;
  /** Seconds; 0 = retry until delivered. */
  notifExpiration: number;
  /** What happens when the subscription fires: a Notify, a change of
   * configuration (TriggerConfigSettings), or both (TR-181 2.16). */
  triggerAction: TriggerAction;
  triggerConfigSettings: string;
}

/** `nowMs`: rows whose TimeToLive has run out or whose Recipient is no longer
 * configured are not processed, even before LocalAgents has removed them. */
export function enabledSubscriptions(tree: LocalTree, nowMs: number = Date.now()): Subscription[] {
  const out: Subscription[] = [];
  for (const instance of tree.rows(SUBSCRIPTION_TABLE)) {
    const v = (rel: string): string => tree.value(`${SUBSCRIPTION_TABLE}${instance}.${rel}`) ?? "";
    // Disabled entries are not processed (TR-181 Subscription.Enable).
    if (v("Enable") !== "true") continue;
    if (isStaleSubscription(tree, instance, nowMs)) continue;
    out.push({
      instance,
      id: v("ID"),
      recipient: v("Recipient"),
      notifType: v("NotifType"),
      referenceList: v("ReferenceList")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
      notifRetry: v("NotifRetry") === "true",
      notifExpiration: Number.parseInt(v("NotifExpiration"), 10) || 0,
      triggerAction: TRIGGER_ACTIONS.find((a) => a === v("TriggerAction")) ?? "Notify",
      triggerConfigSettings: v("TriggerConfigSettings"),
    });
  }
  return out;
}

/** Subscriptions of a type whose ReferenceList covers `path`. */
export function subscribersTo(subscriptions: Subscription[], notifType: NotifType, path: string): Subscription[] {
  return subscriptions.filter((s) => s.notifType === notifType && s.referenceList.some((ref) => covers(ref, path)));
}

/** Whether a ReferenceList entry covers a concrete path: equal, or an object
 * path (ending in ".") covering everything below it (usp.md §5). Instance
 * segments may be `*` or a search expression; an expression is treated as a
 * wildcard here because it would need the CPE's values to evaluate. ValueChange
 * evaluates it (search-match.ts); for the other types a search subscription
 * may also hear of instances its expression excludes. */
export function covers(reference: string, path: string): boolean {
  const ref = splitSegments(reference);
  const target = splitSegments(path);
  const isObjectRef = reference.endsWith(".");
  if (isObjectRef ? target.length < ref.length : target.length !== ref.length) return false;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] as string;
    const p = target[i] as string;
    if (r === p) continue;
    if ((r === "*" || r.startsWith("[")) && /^\d+$/.test(p)) continue;
    return false;
  }
  return true;
}

/** "Device.WiFi.[Enable==true].SSID" → ["Device", "WiFi", "[Enable==true]", "SSID"]: dots inside brackets do not split. */
function splitSegments(path: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  for (const ch of path) {
    if (ch === "[") depth += 1;
    if (ch === "]") depth -= 1;
    if (ch === "." && depth === 0) {
      out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (current !== "") out.push(current);
  return out;
}
