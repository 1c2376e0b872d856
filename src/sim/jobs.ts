// Work that ACS requests start and the CPE carries out after the session
// (TR-069 §3.7.1.4: nothing the ACS asked for may hold the session open):
// transfers, diagnostics, DU state changes, scheduled informs. Each ends in a
// Report: the events of the session that announces it and, for transfers and
// DU changes, the CPE request that session carries.
import type { CpeRequest, EventStruct } from "../cwmp/rpc.js";
import type { DeviceModel, PendingWork } from "./device-model.js";
import { runDiagnostics } from "./diagnostics.js";
import { runDuChange } from "./software-modules.js";
import { startTransfer } from "./transfers.js";

export interface Report {
  events: EventStruct[];
  /** Sent after the InformResponse (TransferComplete, DUStateChangeComplete). */
  request?: CpeRequest;
  /** Reboot before informing ("1 BOOT" is added): firmware upgrades. */
  reboot?: boolean;
}

/** What a job needs from its CPE (implemented by Cpe). */
export interface JobHost {
  readonly model: DeviceModel;
  report(report: Report): void;
  /** Runs `fn` after `ms` unless the CPE stops first. */
  later(ms: number, fn: () => void): void;
}

/** Starts everything the last session queued, in request order. */
export function runPendingWork(host: JobHost): void {
  for (const work of host.model.takeWork()) startWork(host, work);
}

function startWork(host: JobHost, work: PendingWork): void {
  switch (work.kind) {
    case "transfer":
      startTransfer(host, work.transfer);
      return;
    case "diagnostics":
      void runDiagnostics(host, work.object);
      return;
    case "duChange":
      void runDuChange(host, work.operations, work.commandKey);
      return;
    case "scheduleInform":
      // TR-069 A.4.1.2: "3 SCHEDULED" with "M ScheduleInform" and the CommandKey.
      host.later(work.delaySeconds * 1000, () =>
        host.report({
          events: [
            { eventCode: "3 SCHEDULED", commandKey: "" },
            { eventCode: "M ScheduleInform", commandKey: work.commandKey },
          ],
        }),
      );
      return;
  }
}
