// SetParameterAttributes / GetParameterAttributes on a simulated CPE (TR-069
// A.3.2.4, A.3.2.5) and which parameter changes are notified (TR-069
// §3.2.1: Notification 1 passive, next Inform; 2 active, a session now).
import type {
  CwmpFault,
  GetParameterAttributes,
  GetParameterAttributesResponse,
  ParameterAttributeStruct,
  SetParameterAttributes,
  SetParameterAttributesResponse,
} from "../cwmp/rpc.js";
import type { DeviceModel, ParameterAttributes } from "./device-model.js";
import type { ParamDef } from "./tree.js";

/** TR-069 A.3.2.4: 0 off, 1 passive, 2 active; CWMP 1.4 adds 3-6
 * (lightweight variants: 5 and 6 include active lightweight). */
const MAX_NOTIFICATION = 6;
const ACTIVE = new Set([2, 5, 6]);
/** The only AccessList entry TR-069 defines. */
const ACCESS_ENTRIES = new Set(["Subscriber"]);

function fault(faultCode: number, faultString: string): CwmpFault {
  return { faultCode, faultString, setParameterValuesFaults: [] };
}

/** Full parameter names under `path` (itself if it is a parameter); "" is
 * the root. undefined for an unknown name. */
function parametersUnder(dm: DeviceModel, path: string): Array<[string, ParamDef]> | undefined {
  const start = path === "" ? dm.profile.root : path;
  const def = dm.node(start);
  if (def === undefined) return undefined;
  if (def.kind === "param") return [[start, def]];
  const out: Array<[string, ParamDef]> = [];
  dm.walk(start, (name, node) => {
    if (node.kind === "param") out.push([name, node]);
  });
  return out;
}

/** TR-069 A.3.2.4. All structs are checked before any is applied: one fault
 * and nothing changes. Naming a parameter whose TR-181 definition says
 * activeNotify="canDeny" with an active Notification is 9009; on a partial
 * path such parameters keep their attributes and the rest change. */
export function setParameterAttributes(dm: DeviceModel, req: SetParameterAttributes): SetParameterAttributesResponse | CwmpFault {
  const updates: Array<[string, ParameterAttributes]> = [];
  for (const s of req.parameterList) {
    if (s.notificationChange && !(Number.isInteger(s.notification) && s.notification >= 0 && s.notification <= MAX_NOTIFICATION)) {
      return fault(9003, "Invalid arguments");
    }
    if (s.accessListChange && s.accessList.some((a) => !ACCESS_ENTRIES.has(a))) return fault(9003, "Invalid arguments");
    const params = parametersUnder(dm, s.name);
    if (params === undefined) return fault(9005, "Invalid parameter name");
    const denied = (def: ParamDef): boolean => s.notificationChange && ACTIVE.has(s.notification) && def.activeNotify === "canDeny";
    const single = params.length === 1 && params[0]?.[0] === s.name;
    if (single && params[0] !== undefined && denied(params[0][1])) return fault(9009, "Notification request rejected");
    for (const [name, def] of params) {
      if (denied(def)) continue;
      const old = dm.attribute(name);
      updates.push([
        name,
        {
          notification: s.notificationChange ? s.notification : old.notification,
          accessList: s.accessListChange ? [...s.accessList] : old.accessList,
        },
      ]);
    }
  }
  // Later structs win over earlier ones for the same parameter, in order.
  for (const [name, attributes] of updates) dm.setAttribute(name, attributes);
  return { method: "SetParameterAttributesResponse" };
}

/** TR-069 A.3.2.5. Full names and partial paths ("" = everything). */
export function getParameterAttributes(dm: DeviceModel, req: GetParameterAttributes): GetParameterAttributesResponse | CwmpFault {
  const parameterList: ParameterAttributeStruct[] = [];
  for (const requested of req.parameterNames) {
    const params = parametersUnder(dm, requested);
    if (params === undefined) return fault(9005, "Invalid parameter name");
    for (const [name] of params) {
      const a = dm.attribute(name);
      parameterList.push({ name, notification: a.notification, accessList: [...a.accessList] });
    }
  }
  return { method: "GetParameterAttributesResponse", parameterList };
}

/** How a local change of `name` is notified (TR-069 §3.2.1): "active" starts
 * a session now, "passive" waits for the next Inform. */
export function notificationOf(dm: DeviceModel, name: string): "active" | "passive" | "none" {
  const n = dm.attribute(name).notification;
  if (ACTIVE.has(n)) return "active";
  return n === 1 || n === 4 ? "passive" : "none";
}
