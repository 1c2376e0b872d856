// Subscription.{i}.TimeToLive (TR-181 2.19 USP, TP-469 1.55): a row with a
// TimeToLive above 0 is removed that many seconds after its CreationDate.
// Both values are persisted with the row, so the expiry survives a gateway
// restart without a clock of its own. Pure functions over the agent's tree;
// LocalAgents removes the rows (on each access and on a timer).
import { SUBSCRIPTION_TABLE } from "./local-agent-model.js";
import type { LocalTree } from "./local-tree.js";

/** Epoch ms at which the row expires, or undefined if it never does. */
export function subscriptionExpiresAt(tree: LocalTree, instance: number): number | undefined {
  const v = (rel: string): string => tree.value(`${SUBSCRIPTION_TABLE}${instance}.${rel}`) ?? "";
  const ttl = Number.parseInt(v("TimeToLive"), 10);
  const created = Date.parse(v("CreationDate"));
  if (!(ttl > 0) || Number.isNaN(created)) return undefined;
  return created + ttl * 1000;
}

/** Instance numbers of the rows whose TimeToLive has run out at `nowMs`. */
export function expiredSubscriptions(tree: LocalTree, nowMs: number): number[] {
  return tree.rows(SUBSCRIPTION_TABLE).filter((i) => {
    const at = subscriptionExpiresAt(tree, i);
    return at !== undefined && at <= nowMs;
  });
}

/** The earliest expiry of any row, for the next timer; undefined if none expires. */
export function nextSubscriptionExpiry(tree: LocalTree): number | undefined {
  let next: number | undefined;
  for (const i of tree.rows(SUBSCRIPTION_TABLE)) {
    const at = subscriptionExpiresAt(tree, i);
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}
