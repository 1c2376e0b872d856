// What a CWMP Inform means to USP subscribers (reference/usp.md §5 mapping
// table; TR-069 §3.7.1.5 event codes): 1 BOOT / 0 BOOTSTRAP → Device.Boot!,
// 2 PERIODIC → Device.LocalAgent.Periodic!, 4 VALUE CHANGE → ValueChange
// notifications, 0 BOOTSTRAP → OnBoardRequest. Pure: the caller passes what
// it remembers of the device.
import type { Inform } from "../../cwmp/rpc.js";

export interface AgentEvent {
  objPath: string;
  eventName: string;
  params: Record<string, string>;
}

export interface InformMeaning {
  events: AgentEvent[];
  valueChanges: { paramPath: string; value: string }[];
  /** 0 BOOTSTRAP: first contact after a factory reset or a new ACS URL. */
  onBoard: boolean;
}

export interface DeviceMemory {
  /** SoftwareVersion from the previous Inform, if any. */
  previousSoftwareVersion: string | undefined;
  /** The gateway sent FactoryReset to this CPE and the reset has not been seen yet. */
  remoteFactoryResetPending: boolean;
}

/** Forced Inform parameters (TR-181 forcedInform): in every Inform, so their
 * presence under 4 VALUE CHANGE says nothing about a change. */
const FORCED = /^Device\.(RootDataModelVersion|DeviceInfo\.(HardwareVersion|SoftwareVersion|ProvisioningCode)|ManagementServer\.(ParameterKey|ConnectionRequestURL|AliasBasedAddressing))$/;

export function interpretInform(inform: Inform, memory: DeviceMemory): InformMeaning {
  const codes = new Set(inform.event.map((e) => e.eventCode));
  const softwareVersion = inform.parameterList.find((p) => p.name.endsWith(".DeviceInfo.SoftwareVersion"))?.value;
  const events: AgentEvent[] = [];
  if (codes.has("1 BOOT") || codes.has("0 BOOTSTRAP")) {
    const rebootKey = inform.event.find((e) => e.eventCode === "M Reboot")?.commandKey;
    events.push({
      objPath: "Device.",
      eventName: "Boot!",
      params: {
        CommandKey: rebootKey ?? "",
        Cause: bootCause(codes, rebootKey !== undefined, memory.remoteFactoryResetPending),
        FirmwareUpdated: String(memory.previousSoftwareVersion !== undefined && softwareVersion !== undefined && softwareVersion !== memory.previousSoftwareVersion),
        // Per recipient Controller, filled in by agent-notifications.ts (boot-parameter-map.ts).
        ParameterMap: "{}",
      },
    });
  }
  if (codes.has("2 PERIODIC")) events.push({ objPath: "Device.LocalAgent.", eventName: "Periodic!", params: {} });
  const valueChanges = codes.has("4 VALUE CHANGE")
    ? inform.parameterList
        .filter((p) => !FORCED.test(p.name) || (p.name.endsWith(".SoftwareVersion") && memory.previousSoftwareVersion !== undefined && p.value !== memory.previousSoftwareVersion))
        .map((p) => ({ paramPath: p.name, value: p.value }))
    : [];
  return { events, valueChanges, onBoard: codes.has("0 BOOTSTRAP") };
}

function bootCause(codes: Set<string>, remoteReboot: boolean, remoteFactoryReset: boolean): string {
  if (codes.has("0 BOOTSTRAP")) return remoteFactoryReset ? "RemoteFactoryReset" : "LocalFactoryReset";
  return remoteReboot ? "RemoteReboot" : "LocalReboot";
}
