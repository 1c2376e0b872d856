// Which CWMP RPCs of a translation go to the CPE and which the gateway answers
// itself from Device.LocalAgent. and Device.MQTT. (the agent's MQTT client is
// the gateway's: a CPE's own Device.MQTT. is not shown). An RPC that spans both (a GetParameterValues
// of "Device.", a SetParameterValues mixing both subtrees) is split, and the
// two outcomes are merged into the one outcome the planner expects.
import type { AcsRequest, ParameterInfo, ParameterValue, RpcOutcome } from "../../cwmp/rpc.js";
import { LOCAL_AGENT_ROOT } from "./local-agent-model.js";
import type { LocalRpc } from "./local-agents.js";
import { MQTT_ROOT } from "./mqtt-client-model.js";

export type RpcRoute =
  | { kind: "remote" }
  | { kind: "local"; rpc: LocalRpc }
  | { kind: "split"; remote: AcsRequest; local: LocalRpc; merge: (remote: RpcOutcome, local: RpcOutcome) => RpcOutcome };

/** The subtrees the gateway serves (LocalTree of local-agent-model.ts). */
const LOCAL_ROOTS = [LOCAL_AGENT_ROOT, MQTT_ROOT];
const isLocal = (name: string): boolean => LOCAL_ROOTS.some((root) => name.startsWith(root));
/** Paths whose subtree contains Device.LocalAgent. as well as CPE parameters. */
const isAncestor = (name: string): boolean => name === "" || name === "Device.";

export function routeRpc(rpc: AcsRequest): RpcRoute {
  switch (rpc.method) {
    case "GetParameterNames":
      if (isLocal(rpc.parameterPath)) return { kind: "local", rpc };
      if (!isAncestor(rpc.parameterPath)) return { kind: "remote" };
      return {
        kind: "split",
        remote: rpc,
        local: { method: "GetParameterNames", parameterPath: "Device.", nextLevel: false },
        // NextLevel=true on "Device." lists only the served objects themselves.
        merge: (remote, local) => mergeNames(remote, local, rpc.nextLevel && rpc.parameterPath === "Device." ? (n) => LOCAL_ROOTS.includes(n) : (n) => !rpc.nextLevel && isLocal(n)),
      };
    case "GetParameterValues": {
      const local = rpc.parameterNames.filter(isLocal);
      const spans = rpc.parameterNames.some(isAncestor);
      if (local.length === 0 && !spans) return { kind: "remote" };
      const remoteNames = rpc.parameterNames.filter((n) => !isLocal(n));
      if (remoteNames.length === 0) return { kind: "local", rpc };
      return {
        kind: "split",
        remote: { method: "GetParameterValues", parameterNames: remoteNames },
        // The local tree's root is "Device.": its whole content is gateway-served.
        local: { method: "GetParameterValues", parameterNames: spans ? [...local, "Device."] : local },
        merge: mergeValues,
      };
    }
    case "SetParameterValues": {
      const local = rpc.parameterList.filter((p) => isLocal(p.name));
      if (local.length === 0) return { kind: "remote" };
      if (local.length === rpc.parameterList.length) return { kind: "local", rpc };
      // The CPE's part is applied first; the gateway's part is applied only if
      // the CPE accepted its own, so a CPE fault leaves both unchanged.
      return {
        kind: "split",
        remote: { ...rpc, parameterList: rpc.parameterList.filter((p) => !isLocal(p.name)) },
        local: { ...rpc, parameterList: local },
        merge: (remote, localOutcome) => (remote.ok ? localOutcome : remote),
      };
    }
    case "AddObject":
    case "DeleteObject":
      return isLocal(rpc.objectName) ? { kind: "local", rpc } : { kind: "remote" };
    default:
      return { kind: "remote" };
  }
}

function mergeNames(remote: RpcOutcome, local: RpcOutcome, keep: (name: string) => boolean): RpcOutcome {
  if (!remote.ok) return remote;
  if (!local.ok || local.response.method !== "GetParameterNamesResponse" || remote.response.method !== "GetParameterNamesResponse") return remote;
  const extra: ParameterInfo[] = local.response.parameterList.filter((p) => keep(p.name));
  const cpe = remote.response.parameterList.filter((p) => !isLocal(p.name));
  return { ok: true, response: { method: "GetParameterNamesResponse", parameterList: [...cpe, ...extra] } };
}

function mergeValues(remote: RpcOutcome, local: RpcOutcome): RpcOutcome {
  // GetParameterValues fails as a whole on any invalid name (TR-069 A.3.2.2).
  if (!remote.ok) return remote;
  if (!local.ok) return local;
  if (local.response.method !== "GetParameterValuesResponse" || remote.response.method !== "GetParameterValuesResponse") return remote;
  const values: ParameterValue[] = [...remote.response.parameterList.filter((p) => !isLocal(p.name)), ...local.response.parameterList];
  return { ok: true, response: { method: "GetParameterValuesResponse", parameterList: values } };
}
