// What closes an async command, as the CWMP side reports it (cwmp.md §2.3,
// §2.4): TransferComplete (after "7 TRANSFER COMPLETE" / "M Download") ends a
// Download() with the same CommandKey, DUStateChangeComplete ("11 DU STATE
// CHANGE COMPLETE" / "M ChangeDUState") an InstallDU()/Update()/Uninstall(),
// "8 DIAGNOSTICS COMPLETE" starts a gateway task that reads the results of the
// running diagnostics, and the boot after Activate()'s Reboot ("1 BOOT" with
// "M Reboot" and its CommandKey) one that reads the running image. Informs
// also carry the Boot! details: M Reboot's CommandKey goes back to the
// controller's command_key, and a pending gateway FactoryReset makes the
// Cause RemoteFactoryReset. A reset to factory defaults ("0 BOOTSTRAP") ends
// every running command, a reboot the running diagnostics (TR-181: results
// are not kept across a reboot).
import type { Logger } from "pino";
import type { CpeRequest, GetParameterValues, Inform, RpcOutcome } from "../../cwmp/rpc.js";
import { commandSpecFor } from "../../translate/commands.js";
import { activateResult, commandFailure, diagnosticsResult, duStateChangeResult, transferResult, withExecEnvRef, type CommandResult } from "../../translate/operate-results.js";
import { USP_ERR } from "../../usp/errors.js";
import type { GatewayTask } from "../gateway-tasks.js";
import type { CommandTracker, TrackedCommand } from "./command-tracker.js";

export interface CommandEventsDeps {
  tracker: CommandTracker;
  /** Queues work for the device's next ACS turn (GatewayTasks.enqueue). */
  enqueueTask(endpointId: string, task: GatewayTask): void;
  /** Makes sure the CPE comes for queued work (a Connection Request unless a session is open). */
  wake(endpointId: string): void;
  logger: Logger;
}

const ACTIVE_FIRMWARE_IMAGE = "Device.DeviceInfo.ActiveFirmwareImage";

export class CommandEvents {
  constructor(private readonly deps: CommandEventsDeps) {}

  /** Reacts to an Inform; returns it with the controller's command_key in
   * "M Reboot", and whether the Boot! should say RemoteFactoryReset. */
  onInform(endpointId: string, inform: Inform): { inform: Inform; remoteFactoryResetPending: boolean } {
    const { tracker } = this.deps;
    const codes = new Set(inform.event.map((e) => e.eventCode));
    const remoteFactoryResetPending = tracker.factoryResetPending(endpointId, codes.has("0 BOOTSTRAP"));
    const event = inform.event.map((e) => {
      if (e.eventCode !== "M Reboot") return e;
      const activate = tracker.byCwmpKey(endpointId, e.commandKey);
      if (activate?.kind === "firmwareActivate") this.read(activate, ACTIVE_FIRMWARE_IMAGE, (o) => activateResult(activate.image ?? "", o));
      const key = activate?.commandKey ?? tracker.takeRebootKey(endpointId, e.commandKey);
      return key === undefined ? e : { ...e, commandKey: key };
    });
    const diagnosticsDone = codes.has("8 DIAGNOSTICS COMPLETE");
    for (const c of tracker.running(endpointId)) {
      if (codes.has("0 BOOTSTRAP")) this.end(c, "the CPE was reset to factory defaults (0 BOOTSTRAP) before the command completed");
      else if (c.kind !== "diagnostics") continue;
      else if (diagnosticsDone) this.readDiagnostics(c);
      else if (codes.has("1 BOOT")) this.end(c, "the CPE rebooted before the test completed");
    }
    return { inform: { ...inform, event }, remoteFactoryResetPending };
  }

  async onCpeRequest(endpointId: string, request: CpeRequest): Promise<void> {
    const { tracker } = this.deps;
    switch (request.method) {
      case "TransferComplete": {
        const c = tracker.byCwmpKey(endpointId, request.commandKey);
        if (c?.kind === "firmwareDownload") await tracker.complete(c, transferResult(request));
        return;
      }
      case "DUStateChangeComplete": {
        const c = tracker.byCwmpKey(endpointId, request.commandKey);
        if (c?.kind !== "installDu" && c?.kind !== "updateDu" && c?.kind !== "uninstallDu") return;
        const result = duStateChangeResult(c.kind, request, c.execEnvRef);
        const unit = request.results[0]?.deploymentUnitRef.replace(/\.$/, "") ?? "";
        // InstallDU() reports the ExecEnvRef the CPE chose when none was asked for.
        if (c.kind === "installDu" && c.execEnvRef === undefined && result.type === "reqOutputArgs" && unit !== "") {
          this.read(c, `${unit}.ExecutionEnvRef`, (o) => withExecEnvRef(result, o));
          return;
        }
        await tracker.complete(c, result);
        return;
      }
      default:
        return;
    }
  }

  private readDiagnostics(c: TrackedCommand): void {
    const spec = commandSpecFor(c.command);
    const obj = c.diagnosticsObject;
    if (spec === undefined || obj === undefined) return;
    this.read(c, obj, (outcome) => {
      const r = diagnosticsResult(spec, obj, outcome);
      // Still Requested: the "8 DIAGNOSTICS COMPLETE" was another test's.
      return r.kind === "done" ? r.result : undefined;
    });
  }

  /** A gateway task: one GetParameterValues of `name`, then `fold` ends the
   * command (or leaves it running when it returns undefined). A session that
   * ends first leaves the task queued for the next one. */
  private read(c: TrackedCommand, name: string, fold: (outcome: RpcOutcome) => CommandResult | undefined): void {
    if (c.reading) return;
    c.reading = true;
    const rpc: GetParameterValues = { method: "GetParameterValues", parameterNames: [name] };
    const task: GatewayTask = {
      label: `results of ${c.command} (Request ${c.requestInstance})`,
      next: (outcomes) => {
        if (this.deps.tracker.get(c.endpointId, c.requestInstance) !== c) return undefined;
        const outcome = outcomes[0];
        if (outcome === undefined) return [rpc];
        c.reading = false;
        const result = fold(outcome);
        if (result !== undefined) void this.deps.tracker.complete(c, result);
        return undefined;
      },
      abandoned: () => {
        this.deps.enqueueTask(c.endpointId, task);
        this.deps.wake(c.endpointId);
      },
    };
    this.deps.enqueueTask(c.endpointId, task);
  }

  private end(c: TrackedCommand, why: string): void {
    void this.deps.tracker.complete(c, commandFailure(USP_ERR.COMMAND_FAILURE, why));
  }
}
