// When a Subscription row ends without a controller's Delete:
// - TimeToLive (TR-181 2.19 USP, TP-469 1.55): a row with a TimeToLive above
//   0 is removed that many seconds after its CreationDate. Both values are
//   persisted with the row, so the expiry survives a gateway restart without
//   a clock of its own;
// - no Recipient (TP-469 1.78): Recipient is a strong reference to a
//   Controller row, and Controller rows come from the configuration, so a row
//   whose Controller is no longer configured is removed (hasRecipient).
// Pure functions over the agent's tree; LocalAgents removes the rows (on each
// access and on a timer).
import { hasRecipient, SUBSCRIPTION_TABLE } from "./local-agent-model.js";
import type { LocalTree } from "./local-tree.js";

/** Epoch ms at which the row expires, or undefined if it never does. */
export function subscriptionExpiresAt(tree: LocalTree, instance: number): number | undefined {
  const v = (rel: string): string => tree.value(`${SUBSCRIPTION_TABLE}${instance}.${rel}`) ?? "";
  const ttl = Number.parseInt(v("TimeToLive"), 10);
  const created = Date.parse(v("CreationDate"));
  if (!(ttl > 0) || Number.isNaN(created)) return undefined;
  return created + ttl * 1000;
}

/** Whether the row is to be removed at `nowMs`: expired, or without a configured Recipient. */
export function isStaleSubscription(tree: LocalTree, instance: number, nowMs: number): boolean {
  const at = subscriptionExpiresAt(tree, instance);
  return (at !== undefined && at <= nowMs) || !hasRecipient(tree, instance);
}

/** Instance numbers of the rows to remove at `nowMs`. */
export function staleSubscriptions(tree: LocalTree, nowMs: number): number[] {
  return tree.rows(SUBSCRIPTION_TABLE).filter((i) => isStaleSubscription(tree, i, nowMs));
}

/** When the next row is to be removed (epoch ms; 0 when one already is), for
 * the next timer; undefined if no row ever is. */
export function nextStaleAt(tree: LocalTree): number | undefined {
  let next: number | undefined;
  for (const i of tree.rows(SUBSCRIPTION_TABLE)) {
    const at = hasRecipient(tree, i) ? subscriptionExpiresAt(tree, i) : 0;
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}
