import type { Set as UspSet, SetResp } from "../usp/messages.js";
import type { Plan } from "./plan.js";
import type { TranslationContext } from "./context.js";
export function planSet(_set: UspSet, _ctx: TranslationContext): Plan {
  return { kind: "respond", reply: { kind: "error", error: { errCode: 7001, errMsg: "Set not implemented", paramErrs: [] } } };
}
export function foldSet(_set: UspSet, _ctx: TranslationContext): SetResp {
  return { updatedObjResults: [] };
}
