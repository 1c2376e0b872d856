// Entry point of the pure translation core: one planner per USP request type
// (the obuspa msg_handler.c dispatch, without its globals). The switch is
// exhaustive, so a new Request variant breaks the build until it is handled.
import type { Request } from "../usp/messages.js";
import { USP_ERR, uspError } from "../usp/errors.js";
import type { Plan } from "./plan.js";
import type { TranslationContext } from "./context.js";
import { planGet } from "./get.js";
import { planSet } from "./set.js";
import { planGetInstances } from "./instances.js";
import { planDelete } from "./delete.js";
import { planAdd } from "./add.js";
import { planGetSupportedDm } from "./supported-dm.js";
import { planOperate } from "./operate.js";

export type { TranslationContext } from "./context.js";
export { DeviceModel, recordOutcomes } from "./device-model.js";
export { foldGet, planGet } from "./get.js";
export { foldSet, planSet } from "./set.js";
export { foldGetInstances, planGetInstances } from "./instances.js";
export { foldDelete, planDelete } from "./delete.js";
export { foldAdd, planAdd } from "./add.js";
export { foldGetSupportedDm, planGetSupportedDm } from "./supported-dm.js";

export function planRequest(request: Request, ctx: TranslationContext): Plan {
  switch (request.type) {
    case "get":
      return planGet(request.get, ctx);
    case "set":
      return planSet(request.set, ctx);
    case "getInstances":
      return planGetInstances(request.getInstances, ctx);
    case "delete":
      return planDelete(request.delete, ctx);
    case "add":
      return planAdd(request.add, ctx);
    case "getSupportedDm":
      return planGetSupportedDm(request.getSupportedDm, ctx);
    case "operate":
      return planOperate(request.operate, ctx);
    case "notify":
    case "register":
    case "deregister":
    case "getSupportedProtocol":
      return notSupportedYet(request.type);
    default:
      return assertNever(request);
  }
}

function notSupportedYet(type: string): Plan {
  return {
    kind: "respond",
    reply: { kind: "error", error: uspError(USP_ERR.MESSAGE_NOT_SUPPORTED, `not supported yet by this gateway: ${type}`) },
  };
}

function assertNever(x: never): never {
  throw new Error(`unhandled USP request ${JSON.stringify(x)}`);
}
