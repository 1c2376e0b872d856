// The gateway-served Device.LocalAgent. tree of every virtual agent: built on
// first use from configuration and persisted rows, kept in a bounded cache,
// written back to the store whenever a controller changes a Subscription.
import { LRUCache } from "lru-cache";
import type { AddObject, DeleteObject, GetParameterNames, GetParameterValues, RpcOutcome, SetParameterValues } from "../../cwmp/rpc.js";
import type { Store } from "../../store/store.js";
import { buildLocalAgentTree, CONTROLLER_TABLE, exportSubscriptions, SUBSCRIPTION_TABLE, type LocalAgentContext } from "./local-agent-model.js";
import type { LocalTree } from "./local-tree.js";

export type LocalRpc = GetParameterNames | GetParameterValues | SetParameterValues | AddObject | DeleteObject;

export interface LocalAgentsDeps {
  store: Store;
  contextFor(endpointId: string): LocalAgentContext;
  maxCached: number;
  /** Called after a controller changed the agent's Subscription table. */
  onSubscriptionsChanged(endpointId: string): void;
  /** Called when a tree is (re)built, e.g. to put back the Request rows of running commands. */
  onTreeBuilt?(endpointId: string, tree: LocalTree): void | Promise<void>;
}

export class LocalAgents {
  private readonly trees: LRUCache<string, LocalTree>;

  constructor(private readonly deps: LocalAgentsDeps) {
    this.trees = new LRUCache({ max: deps.maxCached });
  }

  async tree(endpointId: string): Promise<LocalTree> {
    const cached = this.trees.get(endpointId);
    if (cached !== undefined) return cached;
    const rows = await this.deps.store.getAgentRows(endpointId, SUBSCRIPTION_TABLE);
    const tree = buildLocalAgentTree(this.deps.contextFor(endpointId), rows);
    await this.deps.onTreeBuilt?.(endpointId, tree);
    this.trees.set(endpointId, tree);
    return tree;
  }

  /** Runs one RPC against the agent's tree on behalf of `controllerId`. */
  async execute(endpointId: string, rpc: LocalRpc, controllerId: string): Promise<RpcOutcome> {
    const tree = await this.tree(endpointId);
    const outcome = tree.execute(rpc);
    if (!outcome.ok) return outcome;
    if (rpc.method === "AddObject" && outcome.response.method === "AddObjectResponse" && rpc.objectName === SUBSCRIPTION_TABLE) {
      // Recipient is the Controller that created the Subscription (TR-181 Subscription.Recipient).
      tree.setValue(`${SUBSCRIPTION_TABLE}${outcome.response.instanceNumber}.Recipient`, controllerPath(tree, controllerId));
    }
    if (touchesSubscriptions(rpc)) {
      await this.deps.store.putAgentRows(endpointId, SUBSCRIPTION_TABLE, exportSubscriptions(tree));
      this.deps.onSubscriptionsChanged(endpointId);
    }
    return outcome;
  }

  forget(endpointId: string): void {
    this.trees.delete(endpointId);
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

function controllerPath(tree: LocalTree, controllerId: string): string {
  const instance = tree.rows(CONTROLLER_TABLE).find((i) => tree.value(`${CONTROLLER_TABLE}${i}.EndpointID`) === controllerId);
  return instance === undefined ? "" : `${CONTROLLER_TABLE}${instance}`;
}
