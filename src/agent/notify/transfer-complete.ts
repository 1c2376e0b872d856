// Device.LocalAgent.TransferComplete! (TR-181 2.19 USP) from what the CPE
// reports of a file transfer: the TransferComplete closing a Download() a
// controller asked for (Command, CommandKey and Requestor name that
// Operate), or an AutonomousTransferComplete (a transfer the CPE made on its
// own: those three are empty). FaultCode is a USP code (TR-369: 0 or
// 7000-7999; a CWMP transfer fault is 7022 with the CPE's code and text in
// FaultString, faults.ts), mapping.md §6.
import type { AutonomousTransferComplete, FaultStruct, TransferComplete } from "../../cwmp/rpc.js";
import { mapFault } from "../../translate/faults.js";
import type { Notification } from "../../usp/messages.js";
import type { TrackedCommand } from "../commands/command-state.js";

export const TRANSFER_COMPLETE_EVENT = "Device.LocalAgent.TransferComplete!";

function faultParams(fault: FaultStruct): { FaultCode: string; FaultString: string } {
  if (fault.faultCode === 0) return { FaultCode: "0", FaultString: "" };
  const m = mapFault(fault, "operate");
  return { FaultCode: String(m.errCode), FaultString: m.errMsg };
}

function event(params: Record<string, string>): Notification {
  return { type: "event", event: { objPath: "Device.LocalAgent.", eventName: "TransferComplete!", params } };
}

/** The event for a controller's Download() that a TransferComplete closed. */
export function requestedTransferComplete(command: TrackedCommand, request: TransferComplete): Notification {
  return event({
    Command: command.command,
    CommandKey: command.commandKey,
    Requestor: command.originator,
    TransferType: "Download",
    // "Device.DeviceInfo.FirmwareImage.2.Download()" → the image it wrote.
    Affected: command.command.replace(/\.[^.]+\(\)$/, ""),
    TransferURL: command.transferUrl ?? "",
    StartTime: request.startTime,
    CompleteTime: request.completeTime,
    ...faultParams(request.faultStruct),
  });
}

/** The event for a transfer the CPE made on its own. */
export function autonomousTransferComplete(request: AutonomousTransferComplete): Notification {
  return event({
    Command: "",
    CommandKey: "",
    Requestor: "",
    TransferType: request.isDownload ? "Download" : "Upload",
    // Which object the file changed is not reported by CWMP.
    Affected: "",
    TransferURL: request.transferUrl,
    StartTime: request.startTime,
    CompleteTime: request.completeTime,
    ...faultParams(request.faultStruct),
  });
}
