// Boot! ParameterMap (TR-181 Device.Boot!, Controller.{i}.BootParameter.{i}):
// the values of the parameters a Controller's enabled BootParameter rows name,
// read from the CPE in the session of its boot Inform. A ParameterName may be
// a full name, a partial path, or a path with wildcards or search expressions,
// so the names are read as a USP Get would read them: the Get planner runs
// inside a gateway task, round by round, over a model of its own. Names under
// the gateway-served subtrees (Device.LocalAgent.) are answered from the
// agent's tree, as session-work.ts does for requests. A name that resolves to
// nothing, or that the CPE does not have, is left out (TR-181 ParameterName).
import type { AcsRequest, RpcOutcome } from "../../cwmp/rpc.js";
import { DeviceModel, recordOutcomes } from "../../translate/device-model.js";
import { foldGet, planGet } from "../../translate/get.js";
import { MAX_PLAN_ROUNDS, type DeviceProfile } from "../../translate/plan.js";
import type { Get, GetResp } from "../../usp/messages.js";
import type { LocalTree } from "../local-agent/local-tree.js";
import { routeRpc, type RpcRoute } from "../local-agent/rpc-route.js";
import type { GatewayTask } from "../gateway-tasks.js";

/** Requested ParameterName → its parameters' full names and values. */
export type BootValues = Map<string, Record<string, string>>;

export interface BootReadOptions {
  names: string[];
  profile: DeviceProfile;
  /** The agent's gateway-served tree (Device.LocalAgent.). */
  served: LocalTree;
  done(values: BootValues): void;
  /** The session ended first, or the planner failed: nothing was read. */
  failed(reason: string): void;
}

/** A gateway task reading every name of `options.names`, as one USP Get with max_depth 0. */
export function bootParameterTask(options: BootReadOptions): GatewayTask {
  const get: Get = { paramPaths: options.names, maxDepth: 0 };
  const model = new DeviceModel();
  model.beginTransaction();
  const ctx = { profile: options.profile, model };
  /** The current round: every planned RPC, and the outcomes already known
   * (gateway-served ones), in plan order; `routes` says which went to the CPE. */
  let round: { rpcs: AcsRequest[]; routes: RpcRoute[]; outcomes: (RpcOutcome | undefined)[] } | undefined;
  let rounds = 0;

  const finish = (resp: GetResp): undefined => {
    options.done(valuesOf(resp));
    return undefined;
  };

  return {
    label: "Boot! ParameterMap (Controller BootParameter rows)",
    next(cpeOutcomes): AcsRequest[] | undefined {
      try {
        if (round !== undefined) {
          const current = round;
          let k = 0;
          current.routes.forEach((route, i) => {
            if (route.kind === "local") return;
            const remote = cpeOutcomes[k++];
            if (remote === undefined) return;
            current.outcomes[i] = route.kind === "split" ? route.merge(remote, options.served.execute(route.local)) : remote;
          });
          current.rpcs.forEach((rpc, i) => {
            const outcome = current.outcomes[i];
            if (outcome !== undefined) model.record(rpc, outcome);
          });
          round = undefined;
        }
        for (;;) {
          if (rounds++ >= MAX_PLAN_ROUNDS) return finish(foldGet(get, ctx));
          const plan = planGet(get, ctx);
          if (plan.kind === "respond") {
            const reply = plan.reply;
            return finish(reply.kind === "response" && reply.response.type === "getResp" ? reply.response.getResp : { reqPathResults: [] });
          }
          const routes = plan.rpcs.map((rpc) => routeRpc(rpc));
          const outcomes = routes.map((route) => (route.kind === "local" ? options.served.execute(route.rpc) : undefined));
          const toCpe = plan.rpcs.flatMap((rpc, i) => {
            const route = routes[i];
            return route === undefined || route.kind === "local" ? [] : [route.kind === "split" ? route.remote : rpc];
          });
          if (toCpe.length === 0) {
            recordOutcomes(model, plan.rpcs, outcomes as RpcOutcome[]);
            continue;
          }
          round = { rpcs: plan.rpcs, routes, outcomes };
          return toCpe;
        }
      } catch (err) {
        options.failed(`planning the read failed: ${(err as Error).message}`);
        return undefined;
      }
    },
    abandoned: () => options.failed("the session ended before the BootParameter values were read"),
  };
}

/** The parameters each requested name resolved to; names that failed are absent. */
function valuesOf(resp: GetResp): BootValues {
  const out: BootValues = new Map();
  for (const r of resp.reqPathResults) {
    if (r.errCode !== 0) continue;
    const values: Record<string, string> = {};
    for (const resolved of r.resolvedPathResults) for (const [param, value] of Object.entries(resolved.resultParams)) values[resolved.resolvedPath + param] = value;
    out.set(r.requestedPath, values);
  }
  return out;
}

/** The ParameterMap event argument (a JSON object) for one Controller's names. */
export function parameterMap(names: string[], values: BootValues): string {
  const map: Record<string, string> = {};
  for (const name of names) Object.assign(map, values.get(name) ?? {});
  return JSON.stringify(map);
}
