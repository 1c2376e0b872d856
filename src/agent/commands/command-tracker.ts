// Async USP commands of the virtual agents while the CPE carries them out
// (TR-369 "Asynchronous Operations"): each has its Device.LocalAgent.Request.{i}
// (R-OPR.0, Status Active), is found again by the CWMP CommandKey the gateway
// generated for it, and ends once: with the result the CPE reports, when
// canceled (7023), or on its timeout (7022). Ending sends the OperationComplete
// Notify to subscribed controllers and removes the Request row. Also kept
// here: the CommandKeys of sync Reboot()s (their Boot! carries the
// controller's command_key) and FactoryReset()s not yet seen (Boot! Cause).
// State is in memory: a gateway restart loses it, and the CPE's late
// TransferComplete or diagnostics results are then ignored.
import type { Logger } from "pino";
import type { PendingRequest } from "../../store/store.js";
import type { CommandKind, OperateEffects, OperateEnv, StartedCommand } from "../../translate/commands.js";
import { commandFailure, success, type CommandResult } from "../../translate/operate-results.js";
import { USP_ERR } from "../../usp/errors.js";
import type { Notification } from "../../usp/messages.js";
import { addRequestRow, hasRequestRow, removeRequestRow, REQUEST_TABLE, setRequestStatus } from "../local-agent/local-agent-model.js";
import type { LocalAgents } from "../local-agent/local-agents.js";
import type { LocalTree } from "../local-agent/local-tree.js";
import type { CommandHooks } from "../session-work.js";

export interface TrackedCommand {
  endpointId: string;
  requestInstance: number;
  /** Controller endpoint id that sent the Operate (Request.{i}.Originator). */
  originator: string;
  command: string;
  /** The controller's command_key. */
  commandKey: string;
  cwmpCommandKey: string;
  kind: CommandKind;
  deadline: number;
  diagnosticsObject?: string;
  image?: string;
  execEnvRef?: string;
  /** A gateway task is reading its results (diagnostics, Activate). */
  reading: boolean;
}

/** How long an async command may run before it fails with 7022. Downloads:
 * genieacs' cwmp.downloadTimeout (3600 s, cwmp.md §3); diagnostics run in
 * seconds to minutes; Activate is one reboot. */
export const COMMAND_TIMEOUTS_MS: Readonly<Record<CommandKind, number>> = {
  reboot: 0,
  factoryReset: 0,
  cancel: 0,
  firmwareDownload: 3_600_000,
  firmwareActivate: 900_000,
  diagnostics: 300_000,
  installDu: 3_600_000,
  updateDu: 3_600_000,
  uninstallDu: 3_600_000,
};

export interface CommandTrackerDeps {
  localAgents: LocalAgents;
  logger: Logger;
  now(): number;
  /** Sends an OperationComplete to the subscribers of `commandPath` (AgentNotifications.notifyType). */
  notify(endpointId: string, commandPath: string, notification: Notification): Promise<void>;
  timeoutsMs?: Partial<Record<CommandKind, number>>;
}

export class CommandTracker implements CommandHooks {
  /** Running async commands per agent, by Request instance number. */
  private readonly byAgent = new Map<string, Map<number, TrackedCommand>>();
  /** Sync Reboot()s not yet booted: CWMP CommandKey → controller's command_key. */
  private readonly rebootKeys = new Map<string, Map<string, string>>();
  private readonly factoryResets = new Set<string>();
  private counter = 0;

  constructor(private readonly deps: CommandTrackerDeps) {}

  async envFor(endpointId: string): Promise<OperateEnv> {
    const tree = await this.deps.localAgents.tree(endpointId);
    this.counter = (this.counter + 1) % 36 ** 4;
    return {
      // Unique across restarts (the clock) and within a millisecond (the counter); ≤ 17 characters.
      commandKeyBase: `c2u-${this.deps.now().toString(36)}-${this.counter.toString(36)}`,
      nextRequestInstance: tree.nextInstance(REQUEST_TABLE),
      running: this.running(endpointId).map((c) => ({ requestInstance: c.requestInstance, command: c.command, kind: c.kind, cwmpCommandKey: c.cwmpCommandKey })),
    };
  }

  /** Before the reply: Request rows of started commands, keys of reboots. */
  async apply(pending: PendingRequest, effects: OperateEffects): Promise<void> {
    const { endpointId } = pending;
    const commandKey = pending.request.type === "operate" ? pending.request.operate.commandKey : "";
    try {
      for (const r of effects.reboots) this.rebootKeysOf(endpointId).set(r.cwmpCommandKey, r.commandKey);
      if (effects.factoryReset) this.factoryResets.add(endpointId);
      const tree = await this.deps.localAgents.tree(endpointId);
      for (const s of effects.started) this.start(tree, endpointId, pending.controllerId, commandKey, s);
      for (const instance of effects.canceled) if (this.get(endpointId, instance) !== undefined) setRequestStatus(tree, instance, "Canceled");
    } catch (err) {
      this.deps.logger.error({ err, endpointId, msgId: pending.msgId }, "recording the commands of an Operate failed");
    }
  }

  /** After the reply: commands that finished at once, and canceled ones, end
   * (their OperationComplete follows the OperateResp). */
  async afterReply(pending: PendingRequest, effects: OperateEffects): Promise<void> {
    for (const s of effects.started) {
      const tracked = this.get(pending.endpointId, s.requestInstance);
      if (s.finishedNow && tracked !== undefined) await this.complete(tracked, success());
    }
    for (const instance of effects.canceled) {
      const tracked = this.get(pending.endpointId, instance);
      if (tracked !== undefined) await this.complete(tracked, commandFailure(USP_ERR.COMMAND_CANCELLED, `${tracked.command} was canceled`), "Canceled");
    }
  }

  running(endpointId: string): TrackedCommand[] {
    return [...(this.byAgent.get(endpointId)?.values() ?? [])];
  }

  get(endpointId: string, requestInstance: number): TrackedCommand | undefined {
    return this.byAgent.get(endpointId)?.get(requestInstance);
  }

  byCwmpKey(endpointId: string, cwmpCommandKey: string): TrackedCommand | undefined {
    return this.running(endpointId).find((c) => c.cwmpCommandKey === cwmpCommandKey);
  }

  /** The controller's command_key for a Reboot's CWMP CommandKey (forgotten once used). */
  takeRebootKey(endpointId: string, cwmpCommandKey: string): string | undefined {
    const keys = this.rebootKeys.get(endpointId);
    const key = keys?.get(cwmpCommandKey);
    keys?.delete(cwmpCommandKey);
    if (keys?.size === 0) this.rebootKeys.delete(endpointId);
    return key;
  }

  /** Whether the gateway sent this CPE a FactoryReset not yet seen; `seen`
   * (a 0 BOOTSTRAP) clears it. */
  factoryResetPending(endpointId: string, seen: boolean): boolean {
    const pending = this.factoryResets.has(endpointId);
    if (seen) this.factoryResets.delete(endpointId);
    return pending;
  }

  /** Ends a command once: Request Status, row removed, OperationComplete Notify. */
  async complete(tracked: TrackedCommand, result: CommandResult, status?: "Canceled"): Promise<void> {
    const commands = this.byAgent.get(tracked.endpointId);
    if (commands?.get(tracked.requestInstance) !== tracked) return;
    commands.delete(tracked.requestInstance);
    if (commands.size === 0) this.byAgent.delete(tracked.endpointId);
    const { endpointId } = tracked;
    this.deps.logger.info({ endpointId, command: tracked.command, request: tracked.requestInstance, result: result.type }, "command complete");
    try {
      const tree = await this.deps.localAgents.tree(endpointId);
      setRequestStatus(tree, tracked.requestInstance, status ?? (result.type === "cmdFailure" ? "Error" : "Success"));
      // Gone before the Notify leaves, so a controller that hears of the
      // completion never finds the row still there.
      removeRequestRow(tree, tracked.requestInstance);
      await this.deps.notify(endpointId, tracked.command, operationComplete(tracked, result));
    } catch (err) {
      this.deps.logger.error({ err, endpointId, command: tracked.command }, "completing a command failed");
    }
  }

  /** Ends every command whose time is up (called by the gateway's sweep timer). */
  async sweep(): Promise<void> {
    const now = this.deps.now();
    for (const commands of [...this.byAgent.values()]) {
      for (const c of [...commands.values()]) {
        if (c.deadline > now) continue;
        const seconds = Math.round(this.timeoutMs(c.kind) / 1000);
        await this.complete(c, commandFailure(USP_ERR.COMMAND_FAILURE, `timeout: the CPE did not complete ${c.command} within ${seconds} s`));
      }
    }
  }

  /** Puts the rows of running commands back into a rebuilt local tree (the
   * trees are an LRU cache; the commands are kept here). */
  restoreRows(endpointId: string, tree: LocalTree): void {
    for (const c of this.running(endpointId)) {
      if (!hasRequestRow(tree, c.requestInstance)) addRequestRow(tree, { instance: c.requestInstance, originator: c.originator, command: c.command, commandKey: c.commandKey, status: "Active" });
    }
  }

  private start(tree: LocalTree, endpointId: string, originator: string, commandKey: string, s: StartedCommand): void {
    // R-OPR.0; Status Active: the CPE already accepted the command.
    addRequestRow(tree, { instance: s.requestInstance, originator, command: s.command, commandKey, status: "Active" });
    const tracked: TrackedCommand = {
      endpointId,
      requestInstance: s.requestInstance,
      originator,
      command: s.command,
      commandKey,
      cwmpCommandKey: s.cwmpCommandKey,
      kind: s.kind,
      deadline: this.deps.now() + this.timeoutMs(s.kind),
      reading: false,
      ...(s.diagnosticsObject !== undefined ? { diagnosticsObject: s.diagnosticsObject } : {}),
      ...(s.image !== undefined ? { image: s.image } : {}),
      ...(s.execEnvRef !== undefined ? { execEnvRef: s.execEnvRef } : {}),
    };
    let commands = this.byAgent.get(endpointId);
    if (commands === undefined) {
      commands = new Map();
      this.byAgent.set(endpointId, commands);
    }
    commands.set(s.requestInstance, tracked);
  }

  private rebootKeysOf(endpointId: string): Map<string, string> {
    let keys = this.rebootKeys.get(endpointId);
    if (keys === undefined) {
      keys = new Map();
      this.rebootKeys.set(endpointId, keys);
    }
    return keys;
  }

  private timeoutMs(kind: CommandKind): number {
    return this.deps.timeoutsMs?.[kind] ?? COMMAND_TIMEOUTS_MS[kind];
  }
}

/** The OperationComplete of a command: obj_path is the object holding it,
 * command_name its relative name, e.g. "Device.IP.Diagnostics." + "IPPing()". */
export function operationComplete(tracked: TrackedCommand, result: CommandResult): Notification {
  const cut = tracked.command.lastIndexOf(".") + 1;
  return {
    type: "operComplete",
    operComplete: {
      objPath: tracked.command.slice(0, cut),
      commandName: tracked.command.slice(cut),
      commandKey: tracked.commandKey,
      result: result.type === "reqOutputArgs" ? { type: "reqOutputArgs", outputArgs: result.outputArgs } : { type: "cmdFailure", errCode: result.errCode, errMsg: result.errMsg },
    },
  };
}
