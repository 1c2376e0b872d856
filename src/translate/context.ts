// What every planner receives: the device's quirk profile and what the
// gateway knows about its data model. Kept apart from index.ts so the
// planners can import it without an import cycle.
import type { DeviceModel } from "./device-model.js";
import type { DeviceProfile } from "./plan.js";
import type { OperateEnv } from "./commands.js";

export interface TranslationContext {
  profile: DeviceProfile;
  model: DeviceModel;
  /** Operate only: CommandKeys, Request numbers and running commands of the agent. */
  operate?: OperateEnv;
}

/** Something a planner needs to learn before it can answer. Turned into
 * CWMP RPCs (deduplicated and batched) by wantsToRpcs() in rpc-plan.ts. */
export type Want = { kind: "gpn"; path: string; nextLevel: boolean } | { kind: "gpv"; name: string };

/** Outcome of one resolution stage. */
export type Step<T> =
  | { kind: "ok"; value: T }
  | { kind: "error"; errCode: number; errMsg: string }
  | { kind: "need"; wants: Want[] };

export function ok<T>(value: T): Step<T> {
  return { kind: "ok", value };
}
export function fail<T>(errCode: number, errMsg: string): Step<T> {
  return { kind: "error", errCode, errMsg };
}
export function need<T>(wants: Want[]): Step<T> {
  return { kind: "need", wants };
}
