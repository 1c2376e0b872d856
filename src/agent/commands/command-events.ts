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
import type { CpeRequest, DUStateChangeComplete, GetParameterValues, Inform, RpcOutcome, TransferComplete } from "../../cwmp/rpc.js";
import { commandSpecFor } from "../../translate/commands.js";
import { activateResult, commandFailure, diagnosticsResult, duStateChangeResult, transferResult, withExecEnvRef, type CommandResult } from "../../translate/operate-results.js";
import { USP_ERR } from "../../usp/errors.js";
import type { GatewayTask } from "../gateway-tasks.js";
import type { AgentCommandState, TrackedCommand } from "./command-state.js";
import { take, type CommandTracker, type Ending } from "./command-tracker.js";

export interface CommandEventsDeps {
  tracker: CommandTracker;
  /** Queues work for the device's next ACS turn (GatewayTasks.enqueue). */
  enqueueTask(endpointId: string, task: GatewayTask): void;
  /** Makes sure the CPE comes for queued work (a Connection Request unless a session is open). */
  wake(endpointId: string): void;
  logger: Logger;
}

const ACTIVE_FIRMWARE_IMAGE = "Device.DeviceInfo.ActiveFirmwareImage";
type Fold = (outcome: RpcOutcome) => CommandResult | undefined;

/** What an Inform means for the agent's commands, decided on its stored state. */
interface InformEffects {
  keys: Map<string, string>;
  remoteFactoryResetPending: boolean;
  reads: { command: TrackedCommand; name: string; fold: Fold }[];
}

export class CommandEvents {
  /** Commands whose results a task of this instance is reading. */
  private readonly reading = new Set<string>();

  constructor(private readonly deps: CommandEventsDeps) {}

  /** Reacts to an Inform; returns it with the controller's command_key in
   * "M Reboot", and whether the Boot! should say RemoteFactoryReset. */
  async onInform(endpointId: string, inform: Inform): Promise<{ inform: Inform; remoteFactoryResetPending: boolean }> {
    const codes = new Set(inform.event.map((e) => e.eventCode));
    const relevant = ["0 BOOTSTRAP", "1 BOOT", "8 DIAGNOSTICS COMPLETE", "M Reboot"].some((c) => codes.has(c));
    // Most Informs concern no command: no store access for them.
    if (!relevant) return { inform, remoteFactoryResetPending: false };
    const fx: InformEffects = { keys: new Map(), remoteFactoryResetPending: false, reads: [] };
    await this.deps.tracker.end(endpointId, (state) => this.informEndings(state, inform, codes, fx));
    for (const r of fx.reads) this.read(r.command, r.name, r.fold);
    const event = inform.event.map((e) => {
      const key = e.eventCode === "M Reboot" ? fx.keys.get(e.commandKey) : undefined;
      return key === undefined ? e : { ...e, commandKey: key };
    });
    return { inform: { ...inform, event }, remoteFactoryResetPending: fx.remoteFactoryResetPending };
  }

  /** Closes what a CPE request ends; returns the Download() a TransferComplete
   * closed, for its TransferComplete! event. */
  async onCpeRequest(endpointId: string, request: CpeRequest): Promise<TrackedCommand | undefined> {
    switch (request.method) {
      case "TransferComplete": {
        let ended: TrackedCommand | undefined;
        await this.deps.tracker.end(endpointId, (state) => {
          const endings = transferEndings(state, request);
          ended = endings[0]?.command;
          return endings;
        });
        return ended;
      }
      case "DUStateChangeComplete": {
        let later: { command: TrackedCommand; name: string; fold: Fold } | undefined;
        await this.deps.tracker.end(endpointId, (state) => {
          const c = state.commands.find((x) => x.cwmpCommandKey === request.commandKey && ["installDu", "updateDu", "uninstallDu"].includes(x.kind));
          if (c === undefined) return [];
          const result = duStateChangeResult(c.kind, request, c.execEnvRef);
          const unit = unitOf(request);
          // InstallDU() reports the ExecEnvRef the CPE chose when none was asked for.
          if (c.kind === "installDu" && c.execEnvRef === undefined && result.type === "reqOutputArgs" && unit !== "") {
            later = { command: c, name: `${unit}.ExecutionEnvRef`, fold: (o) => withExecEnvRef(result, o) };
            return [];
          }
          return take(state, [c.requestInstance]).map((command) => ({ command, result }));
        });
        if (later !== undefined) this.read(later.command, later.name, later.fold);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private informEndings(state: AgentCommandState, inform: Inform, codes: Set<string>, fx: InformEffects): Ending[] {
    fx.remoteFactoryResetPending = state.factoryReset;
    if (codes.has("0 BOOTSTRAP")) state.factoryReset = false;
    for (const e of inform.event.filter((x) => x.eventCode === "M Reboot")) {
      const activate = state.commands.find((c) => c.cwmpCommandKey === e.commandKey && c.kind === "firmwareActivate");
      const key = activate?.commandKey ?? state.rebootKeys[e.commandKey];
      if (key !== undefined) fx.keys.set(e.commandKey, key);
      delete state.rebootKeys[e.commandKey];
      if (activate !== undefined) fx.reads.push({ command: activate, name: ACTIVE_FIRMWARE_IMAGE, fold: (o) => activateResult(activate.image ?? "", o) });
    }
    if (codes.has("0 BOOTSTRAP")) {
      fx.reads = [];
      return take(state, state.commands.map((c) => c.requestInstance)).map((command) => failed(command, "the CPE was reset to factory defaults (0 BOOTSTRAP) before the command completed"));
    }
    const diagnostics = state.commands.filter((c) => c.kind === "diagnostics");
    if (codes.has("8 DIAGNOSTICS COMPLETE")) {
      for (const c of diagnostics) {
        const spec = commandSpecFor(c.command);
        const obj = c.diagnosticsObject;
        if (spec === undefined || obj === undefined) continue;
        // Still Requested: the "8 DIAGNOSTICS COMPLETE" was another test's.
        const fold: Fold = (o) => {
          const r = diagnosticsResult(spec, obj, o);
          return r.kind === "done" ? r.result : undefined;
        };
        fx.reads.push({ command: c, name: obj, fold });
      }
      return [];
    }
    if (!codes.has("1 BOOT")) return [];
    return take(state, diagnostics.map((c) => c.requestInstance)).map((command) => failed(command, "the CPE rebooted before the test completed"));
  }

  /** A gateway task: one GetParameterValues of `name`, then `fold` ends the
   * command (or leaves it running when it returns undefined). A session that
   * ends first leaves the task queued for the next one. */
  private read(c: TrackedCommand, name: string, fold: Fold): void {
    const id = `${c.endpointId} ${c.requestInstance}`;
    if (this.reading.has(id)) return;
    this.reading.add(id);
    const rpc: GetParameterValues = { method: "GetParameterValues", parameterNames: [name] };
    const task: GatewayTask = {
      label: `results of ${c.command} (Request ${c.requestInstance})`,
      next: (outcomes) => {
        const outcome = outcomes[0];
        if (outcome === undefined) return [rpc];
        this.reading.delete(id);
        const result = fold(outcome);
        if (result !== undefined) {
          void this.deps.tracker.complete(c.endpointId, c.requestInstance, result).catch((err: unknown) => this.deps.logger.error({ err, endpointId: c.endpointId }, "completing a command failed"));
        }
        return undefined;
      },
      abandoned: () => {
        this.deps.enqueueTask(c.endpointId, task);
        this.deps.wake(c.endpointId);
      },
    };
    this.deps.enqueueTask(c.endpointId, task);
  }
}

function transferEndings(state: AgentCommandState, request: TransferComplete): Ending[] {
  const c = state.commands.find((x) => x.cwmpCommandKey === request.commandKey && x.kind === "firmwareDownload");
  return c === undefined ? [] : take(state, [c.requestInstance]).map((command) => ({ command, result: transferResult(request) }));
}

/** "Device.SoftwareModules.DeploymentUnit.2" from the first result, or "". */
function unitOf(request: DUStateChangeComplete): string {
  return request.results[0]?.deploymentUnitRef.replace(/\.$/, "") ?? "";
}

function failed(command: TrackedCommand, why: string): Ending {
  return { command, result: commandFailure(USP_ERR.COMMAND_FAILURE, why) };
}
