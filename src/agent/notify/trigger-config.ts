// Subscription.{i}.TriggerAction Config / NotifyAndConfig (TR-181 2.16+,
// TP-469 1.93/1.94): when the subscription's event occurs the agent changes
// its configuration as TriggerConfigSettings says, a list of
// "<Parameter Name>=<Parameter Value>" (values formatted per their type:
// strings may be quoted). For a CWMP CPE that is one SetParameterValues in
// its session, typed from the TR-181 schema.
import type { AcsRequest, ParameterValue } from "../../cwmp/rpc.js";
import { splitPath } from "../../translate/device-model.js";
import { supportedPathOf, TR181 } from "../../translate/schema.js";
import type { GatewayTask } from "../gateway-tasks.js";

export type TriggerAction = "Notify" | "Config" | "NotifyAndConfig";
export const TRIGGER_ACTIONS: readonly TriggerAction[] = ["Notify", "Config", "NotifyAndConfig"];
/** local-agent-model.ts LOCAL_AGENT_ROOT, not imported: that module checks
 * TriggerConfigSettings with this one, and the two would import each other. */
const GATEWAY_SERVED = "Device.LocalAgent.";
/** TR-181 TriggerConfigSettings: list maxItems 16. */
const MAX_SETTINGS = 16;

export interface ConfigSetting {
  name: string;
  value: string;
}

/** Parses TriggerConfigSettings; undefined when an entry is malformed (no
 * "=", not a parameter path under Device., more than 16 entries). A value
 * in double quotes loses them. */
export function parseTriggerConfigSettings(list: string): ConfigSetting[] | undefined {
  const entries = list
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length > MAX_SETTINGS) return undefined;
  const out: ConfigSetting[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq < 0) return undefined;
    const name = entry.slice(0, eq).trim();
    const raw = entry.slice(eq + 1).trim();
    if (!/^Device\.([A-Za-z0-9_-]+\.)*[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) return undefined;
    const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    out.push({ name, value });
  }
  return out;
}

/** The SetParameterValues list for the CPE: each value typed from the TR-181
 * schema (xsd:string when the schema does not know the parameter); settings
 * of the gateway-served Device.LocalAgent. are left out. */
export function configParameterList(settings: ConfigSetting[]): ParameterValue[] {
  return settings
    .filter((s) => !s.name.startsWith(GATEWAY_SERVED))
    .map((s) => {
      const [owner, param] = splitPath(s.name);
      const type = TR181.object(supportedPathOf(owner))?.paramsByName.get(param)?.xsdType ?? "xsd:string";
      return { name: s.name, value: s.value, type };
    });
}

/** A gateway task writing the settings in one SetParameterValues; `done`
 * gets the fault code, or 0 when the CPE applied them. */
export function triggerConfigTask(parameterList: ParameterValue[], done: (faultCode: number) => void, abandoned: () => void): GatewayTask {
  return {
    label: `TriggerConfigSettings (${parameterList.map((p) => p.name).join(", ")})`,
    next(outcomes): AcsRequest[] | undefined {
      if (outcomes.length === 0) return [{ method: "SetParameterValues", parameterList, parameterKey: "" }];
      const o = outcomes[0];
      done(o === undefined ? 9002 : o.ok ? 0 : o.fault.faultCode);
      return undefined;
    },
    abandoned,
  };
}
