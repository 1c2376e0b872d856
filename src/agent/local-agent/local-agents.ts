// The gateway-served Device.LocalAgent. tree of every virtual agent: built on
// first use from configuration and persisted rows, kept in a bounded cache,
// written back to the store whenever a controller changes a Subscription.
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { AddObject, DeleteObject, GetParameterNames, GetParameterValues, RpcOutcome, SetParameterValues } from "../../cwmp/rpc.js";
import type { Store } from "../../store/store.js";
import { buildLocalAgentTree, controllerRowOf, exportSubscriptions, SUBSCRIPTION_TABLE, type LocalAgentContext, type SubscriptionRow } from "./local-agent-model.js";
import type { LocalTree } from "./local-tree.js";
import {
  addedSubscriptions,
  exportMqttSubscriptions,
  keepAliveParam,
  MQTT_KEEP_ALIVE,
  MQTT_SUBSCRIPTIONS,
  touchesMqttSubscriptions,
  type MqttTopicSubscription,
} from "./mqtt-client-model.js";
import { BOOT_PARAMETER_ROWS, exportBootParameters, restoreBootParameters, touchesBootParameters } from "./boot-parameters.js";
import { nextStaleAt, staleSubscriptions } from "./subscription-lifetime.js";
import { exportOnBoarding, ON_BOARDING_ROWS, restoreOnBoarding, touchesOnBoarding } from "./on-boarding.js";

export type LocalRpc = GetParameterNames | GetParameterValues | SetParameterValues | AddObject | DeleteObject;

export interface LocalAgentsDeps {
  store: Store;
  contextFor(endpointId: string): LocalAgentContext;
  maxCached: number;
  /** Called after a controller changed the agent's Subscription table. */
  onSubscriptionsChanged(endpointId: string): void;
  /** Called when a tree is (re)built, e.g. to put back the Request rows of running commands. */
  onTreeBuilt?(endpointId: string, tree: LocalTree): void | Promise<void>;
  /** Where a failed removal of expired Subscription rows is reported. */
  logger?: Logger;
  /** A controller set Device.MQTT.Client.1.KeepAliveTime (seconds): the agent's MQTT connection (shared or its own) applies it. */
  onMqttKeepAlive?(endpointId: string, seconds: number): void;
  /** The agent's enabled controller-added MQTT Subscription rows, after a change or when its tree is rebuilt. */
  onMqttSubscriptions?(endpointId: string, subscriptions: MqttTopicSubscription[]): void;
}

/** setTimeout's longest delay; a later expiry is re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LocalAgents {
  private readonly trees: LRUCache<string, LocalTree>;
  /** Agents whose store held no Subscription rows when last asked (so each
   * Inform costs no store read): as current as the trees, i.e. until this
   * instance builds their tree (every change goes through one) or forgets them. */
  private readonly unsubscribed: LRUCache<string, true>;
  /** One timer per agent, for its next Subscription row to remove. */
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: LocalAgentsDeps) {
    this.trees = new LRUCache({ max: deps.maxCached });
    this.unsubscribed = new LRUCache({ max: deps.maxCached });
  }

  async tree(endpointId: string): Promise<LocalTree> {
    const cached = this.trees.get(endpointId);
    if (cached !== undefined) return cached;
    return this.build(endpointId, await this.deps.store.getAgentRows(endpointId, SUBSCRIPTION_TABLE));
  }

  /** The agent's tree if it can have subscriptions (cached, or Subscription
   * rows stored), else undefined. Every Inform asks for subscriptions, and
   * most agents of a fleet have none: building a tree for each of them would
   * fill the cache with trees nobody reads (about 8 KB each). */
  async subscribedTree(endpointId: string): Promise<LocalTree | undefined> {
    const cached = this.trees.get(endpointId);
    if (cached !== undefined) return cached;
    if (this.unsubscribed.has(endpointId)) return undefined;
    const rows = await this.deps.store.getAgentRows(endpointId, SUBSCRIPTION_TABLE);
    if (rows.length > 0) return this.build(endpointId, rows);
    if (!this.trees.has(endpointId)) this.unsubscribed.set(endpointId, true);
    return undefined;
  }

  /** The agent's tree if it is cached or a controller ever stored its
   * Controller on-boarding values, else undefined: the defaults
   * (OnBoardingRestartTime 0) ask for nothing, and every agent of a fleet
   * would otherwise get a tree built when its OnBoardRequest is acknowledged. */
  async onBoardingTree(endpointId: string): Promise<LocalTree | undefined> {
    const cached = this.trees.get(endpointId);
    if (cached !== undefined) return cached;
    const rows = await this.deps.store.getAgentRows(endpointId, ON_BOARDING_ROWS);
    return rows.length === 0 ? undefined : this.tree(endpointId);
  }

  private async build(endpointId: string, rows: SubscriptionRow[]): Promise<LocalTree> {
    const context = this.deps.contextFor(endpointId);
    const mqttRows = context.mqttClient === undefined ? [] : await this.deps.store.getAgentRows(endpointId, MQTT_SUBSCRIPTIONS);
    const tree = buildLocalAgentTree(context, rows, mqttRows);
    if (mqttRows.length > 0) this.deps.onMqttSubscriptions?.(endpointId, addedSubscriptions(tree));
    restoreBootParameters(tree, await this.deps.store.getAgentRows(endpointId, BOOT_PARAMETER_ROWS));
    restoreOnBoarding(tree, await this.deps.store.getAgentRows(endpointId, ON_BOARDING_ROWS));
    await this.deps.onTreeBuilt?.(endpointId, tree);
    this.scheduleExpiry(endpointId, tree);
    this.trees.set(endpointId, tree);
    // Also when a subscribedTree() that read no rows finished while this tree was being built.
    this.unsubscribed.delete(endpointId);
    return tree;
  }

  /** Runs one RPC against the agent's tree on behalf of `controllerId`. */
  async execute(endpointId: string, rpc: LocalRpc, controllerId: string): Promise<RpcOutcome> {
    const tree = await this.tree(endpointId);
    await this.removeStale(endpointId, tree);
    const outcome = tree.execute(rpc);
    if (!outcome.ok) return outcome;
    if (rpc.method === "AddObject" && outcome.response.method === "AddObjectResponse" && rpc.objectName === SUBSCRIPTION_TABLE) {
      // Recipient is the Controller that created the Subscription (TR-181 Subscription.Recipient).
      tree.setValue(`${SUBSCRIPTION_TABLE}${outcome.response.instanceNumber}.Recipient`, controllerRowOf(tree, controllerId) ?? "");
    }
    if (rpc.method === "SetParameterValues") {
      const keepAlive = rpc.parameterList.find((p) => p.name === MQTT_KEEP_ALIVE);
      const view = this.deps.contextFor(endpointId).mqttClient;
      if (keepAlive !== undefined && view !== undefined) {
        // One connection for every agent: the value lives there, not in this tree.
        tree.addParam(MQTT_KEEP_ALIVE, keepAliveParam(view));
        this.deps.onMqttKeepAlive?.(endpointId, Number(keepAlive.value));
      }
    }
    if (touchesMqttSubscriptions(rpc)) {
      await this.deps.store.putAgentRows(endpointId, MQTT_SUBSCRIPTIONS, exportMqttSubscriptions(tree));
      this.deps.onMqttSubscriptions?.(endpointId, addedSubscriptions(tree));
    }
    if (touchesBootParameters(rpc)) await this.deps.store.putAgentRows(endpointId, BOOT_PARAMETER_ROWS, exportBootParameters(tree));
    if (touchesOnBoarding(rpc, outcome)) await this.deps.store.putAgentRows(endpointId, ON_BOARDING_ROWS, exportOnBoarding(tree));
    if (touchesSubscriptions(rpc)) {
      await this.deps.store.putAgentRows(endpointId, SUBSCRIPTION_TABLE, exportSubscriptions(tree));
      this.deps.onSubscriptionsChanged(endpointId);
      this.scheduleExpiry(endpointId, tree);
    }
    return outcome;
  }

  /** Removes the Subscription rows whose TimeToLive has run out (TP-469 1.55)
   * or whose Recipient Controller is no longer configured (1.78), as a
   * controller's Delete would: persisted, and notification attributes brought
   * in step. */
  private async removeStale(endpointId: string, tree: LocalTree): Promise<void> {
    const stale = staleSubscriptions(tree, this.deps.contextFor(endpointId).now());
    if (stale.length === 0) return;
    for (const instance of stale) tree.removeRow(`${SUBSCRIPTION_TABLE}${instance}.`);
    await this.deps.store.putAgentRows(endpointId, SUBSCRIPTION_TABLE, exportSubscriptions(tree));
    this.deps.logger?.info({ endpointId, removed: stale }, "Subscription rows removed: TimeToLive expired or Recipient not configured");
    this.deps.onSubscriptionsChanged(endpointId);
  }

  /** Arms the agent's timer for the next row to remove (at once for a row
   * without Recipient, found when the tree is built after a configuration
   * change), so it goes even if nothing reads the tree then. */
  private scheduleExpiry(endpointId: string, tree: LocalTree): void {
    clearTimeout(this.expiryTimers.get(endpointId));
    this.expiryTimers.delete(endpointId);
    const at = nextStaleAt(tree);
    if (at === undefined || this.stopped) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - this.deps.contextFor(endpointId).now()));
    const timer = setTimeout(() => {
      this.expiryTimers.delete(endpointId);
      // The tree may have been evicted and is rebuilt (and re-armed) then.
      void this.tree(endpointId)
        .then(async (current) => {
          await this.removeStale(endpointId, current);
          this.scheduleExpiry(endpointId, current);
        })
        .catch((err: unknown) => {
          if (!this.stopped) this.deps.logger?.error({ err, endpointId }, "removing expired Subscription rows failed");
        });
    }, delay);
    timer.unref();
    this.expiryTimers.set(endpointId, timer);
  }

  /** Clears the timers (gateway shutdown). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  forget(endpointId: string): void {
    this.trees.delete(endpointId);
    this.unsubscribed.delete(endpointId);
  }
}

function touchesSubscriptions(rpc: LocalRpc): boolean {
  switch (rpc.method) {
    case "SetParameterValues":
      return rpc.parameterList.some((p) => p.name.startsWith(SUBSCRIPTION_TABLE));
    case "AddObject":
    case "DeleteObject":
      return rpc.objectName.startsWith(SUBSCRIPTION_TABLE);
    case "GetParameterNames":
    case "GetParameterValues":
      return false;
  }
}
