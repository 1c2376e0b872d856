// Controller.{i}.OnBoardingComplete and OnBoardingRestartTime (R-NOT.5,
// TP-469 1.101-1.103) are per agent: each virtual agent onboards with each
// Controller on its own. Controller rows come from the configuration, so these
// two values are kept in the store beside them, by the Controller's EndpointID
// (rows are numbered in configuration order, which may change), and put back
// when the agent's tree is built.
import type { RpcOutcome } from "../../cwmp/rpc.js";
import type { StoredRow } from "../../store/store.js";
import { CONTROLLER_TABLE, controllerRowOf } from "./local-agent-model.js";
import type { LocalRpc } from "./local-agents.js";
import type { LocalTree } from "./local-tree.js";

/** Agent-rows table name (not a TR-181 table). */
export const ON_BOARDING_ROWS = "cwmp2usp:ControllerOnBoarding";
const PERSISTED = ["OnBoardingComplete", "OnBoardingRestartTime"];
const ENDPOINT = "EndpointID";
const ON_BOARDING_PARAM = /^Device\.LocalAgent\.Controller\.[1-9][0-9]*\.OnBoarding(Complete|RestartTime)$/;

/** Whether a successful SetParameterValues changed one of the two values. */
export function touchesOnBoarding(rpc: LocalRpc, outcome: RpcOutcome): boolean {
  return outcome.ok && rpc.method === "SetParameterValues" && rpc.parameterList.some((p) => ON_BOARDING_PARAM.test(p.name));
}

/** Every configured Controller's values, for the store. */
export function exportOnBoarding(tree: LocalTree): StoredRow[] {
  return tree.rows(CONTROLLER_TABLE).map((i) => {
    const values: Record<string, string> = { [ENDPOINT]: tree.value(`${CONTROLLER_TABLE}${i}.${ENDPOINT}`) ?? "" };
    for (const rel of PERSISTED) values[rel] = tree.value(`${CONTROLLER_TABLE}${i}.${rel}`) ?? "";
    return { instance: i, values };
  });
}

/** Puts stored values back on the rows of the Controllers still configured. */
export function restoreOnBoarding(tree: LocalTree, rows: StoredRow[]): void {
  for (const row of rows) {
    const controller = controllerRowOf(tree, row.values[ENDPOINT] ?? "");
    if (controller === undefined) continue;
    for (const rel of PERSISTED) {
      const value = row.values[rel];
      if (value !== undefined && value !== "") tree.setValue(`${controller}.${rel}`, value);
    }
  }
}
