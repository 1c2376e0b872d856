// Async USP commands of the virtual agents while the CPE carries them out
// (TR-369 "Asynchronous Operations"): each has its Device.LocalAgent.Request.{i}
// (R-OPR.0, Status Active), is found again by the CWMP CommandKey the gateway
// generated for it, and ends once: with the result the CPE reports, when
// canceled (7023), or on its timeout (7022). Ending removes the Request row
// and sends the OperationComplete Notify to subscribed controllers. Also kept
// here: the CommandKeys of sync Reboot()s (their Boot! carries the
// controller's command_key) and FactoryReset()s not yet seen (Boot! Cause).
//
// The state of each agent is kept in the store (agent rows, command-state.ts)
// and read afresh for every event, so a TransferComplete still closes its
// Download() after a gateway restart or on another instance. What lives in
// memory only: the gateway tasks reading results (a restart loses them; the
// command then ends on its timeout) and the sweep's deadline index, rebuilt
// at start by restore().
import type { Logger } from "pino";
import type { PendingRequest, Store } from "../../store/store.js";
import type { CommandKind, OperateEffects, OperateEnv, StartedCommand } from "../../translate/commands.js";
import { commandFailure, success, type CommandResult } from "../../translate/operate-results.js";
import { USP_ERR } from "../../usp/errors.js";
import type { Notification } from "../../usp/messages.js";
import { addRequestRow, hasRequestRow, removeRequestRow, REQUEST_TABLE, setRequestStatus } from "../local-agent/local-agent-model.js";
import type { LocalAgents } from "../local-agent/local-agents.js";
import type { LocalTree } from "../local-agent/local-tree.js";
import type { CommandHooks } from "../session-work.js";
import { loadState, saveState, type AgentCommandState, type TrackedCommand } from "./command-state.js";

export type { TrackedCommand } from "./command-state.js";

/** How long an async command may run before it fails with 7022. Downloads:
 * genieacs' cwmp.downloadTimeout (3600 s, cwmp.md §3); diagnostics run in
 * seconds to minutes; Activate is one reboot. */
export const COMMAND_TIMEOUTS_MS: Readonly<Record<CommandKind, number>> = {
  reboot: 0,
  factoryReset: 0,
  parameterReset: 0,
  sendOnBoardRequest: 0,
  cancel: 0,
  firmwareDownload: 3_600_000,
  firmwareActivate: 900_000,
  diagnostics: 300_000,
  installDu: 3_600_000,
  updateDu: 3_600_000,
  uninstallDu: 3_600_000,
};

export interface CommandTrackerDeps {
  store: Store;
  localAgents: LocalAgents;
  logger: Logger;
  now(): number;
  /** Sends an OperationComplete to the subscribers of `commandPath` (AgentNotifications.notifyType). */
  notify(endpointId: string, commandPath: string, notification: Notification): Promise<void>;
  timeoutsMs?: Partial<Record<CommandKind, number>>;
}

/** A command that ended and how, to be announced once the state is saved. */
export interface Ending {
  command: TrackedCommand;
  result: CommandResult;
  status?: "Canceled";
}

export class CommandTracker implements CommandHooks {
  /** Earliest deadline per agent with running commands (the sweep's index). */
  private readonly deadlines = new Map<string, number>();
  /** Per-agent chain: one read-modify-write of an agent's state at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private counter = 0;

  constructor(private readonly deps: CommandTrackerDeps) {}

  /** Runs `fn` on the agent's stored state and saves it; serialized per agent. */
  update<T>(endpointId: string, fn: (state: AgentCommandState) => T): Promise<T> {
    const previous = this.chains.get(endpointId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const state = await loadState(this.deps.store, endpointId);
      const before = JSON.stringify(state);
      const result = fn(state);
      if (JSON.stringify(state) !== before) await saveState(this.deps.store, endpointId, state);
      this.index(endpointId, state);
      return result;
    });
    const settled = next.catch(() => undefined);
    this.chains.set(endpointId, settled);
    void settled.then(() => {
      if (this.chains.get(endpointId) === settled) this.chains.delete(endpointId);
    });
    return next;
  }

  async envFor(endpointId: string): Promise<OperateEnv> {
    const [tree, running] = await Promise.all([this.deps.localAgents.tree(endpointId), this.running(endpointId)]);
    // Another instance may have started commands since this tree was built:
    // their rows join it, and the next number is past all of them.
    await this.restoreRows(endpointId, tree, running);
    this.counter = (this.counter + 1) % 36 ** 4;
    return {
      // Unique across restarts (the clock) and within a millisecond (the counter); ≤ 17 characters.
      commandKeyBase: `c2u-${this.deps.now().toString(36)}-${this.counter.toString(36)}`,
      nextRequestInstance: Math.max(tree.nextInstance(REQUEST_TABLE), ...running.map((c) => c.requestInstance + 1)),
      running: running.map((c) => ({ requestInstance: c.requestInstance, command: c.command, kind: c.kind, cwmpCommandKey: c.cwmpCommandKey })),
    };
  }

  async running(endpointId: string): Promise<TrackedCommand[]> {
    return (await loadState(this.deps.store, endpointId)).commands;
  }

  /** Before the reply: Request rows of started commands, keys of reboots. */
  async apply(pending: PendingRequest, effects: OperateEffects): Promise<void> {
    const { endpointId } = pending;
    const commandKey = pending.request.type === "operate" ? pending.request.operate.commandKey : "";
    try {
      const started = effects.started.map((s) => this.tracked(endpointId, pending.controllerId, commandKey, s));
      await this.update(endpointId, (state) => {
        for (const r of effects.reboots) state.rebootKeys[r.cwmpCommandKey] = r.commandKey;
        if (effects.factoryReset) state.factoryReset = true;
        state.commands.push(...started);
      });
      const tree = await this.deps.localAgents.tree(endpointId);
      await this.restoreRows(endpointId, tree, started);
      for (const instance of effects.canceled) if (hasRequestRow(tree, instance)) setRequestStatus(tree, instance, "Canceled");
    } catch (err) {
      this.deps.logger.error({ err, endpointId, msgId: pending.msgId }, "recording the commands of an Operate failed");
    }
  }

  /** After the reply: commands that finished at once, and canceled ones, end
   * (their OperationComplete follows the OperateResp). */
  async afterReply(pending: PendingRequest, effects: OperateEffects): Promise<void> {
    const done = effects.started.filter((s) => s.finishedNow).map((s) => s.requestInstance);
    if (done.length === 0 && effects.canceled.length === 0) return;
    await this.end(pending.endpointId, (state) => [
      ...take(state, done).map((command) => ({ command, result: success() })),
      ...take(state, effects.canceled).map((command): Ending => ({ command, result: commandFailure(USP_ERR.COMMAND_CANCELLED, `${command.command} was canceled`), status: "Canceled" })),
    ]);
  }

  /** Ends the commands `select` removes from the agent's state: Request
   * Status, row removed, OperationComplete Notify. A command already ended
   * (by another event, or another instance) is not selected again. */
  async end(endpointId: string, select: (state: AgentCommandState) => Ending[]): Promise<void> {
    let endings: Ending[];
    try {
      endings = await this.update(endpointId, select);
    } catch (err) {
      this.deps.logger.error({ err, endpointId }, "ending commands failed");
      return;
    }
    for (const e of endings) await this.announce(endpointId, e);
  }

  /** Ends one command by its Request instance, if it is still running. */
  complete(endpointId: string, requestInstance: number, result: CommandResult): Promise<void> {
    return this.end(endpointId, (state) => take(state, [requestInstance]).map((command) => ({ command, result })));
  }

  /** Ends every command whose time is up (the gateway's sweep timer). */
  async sweep(): Promise<void> {
    const now = this.deps.now();
    for (const [endpointId, deadline] of [...this.deadlines]) {
      if (deadline > now) continue;
      await this.end(endpointId, (state) => {
        const expired = state.commands.filter((c) => c.deadline <= now);
        state.commands = state.commands.filter((c) => c.deadline > now);
        return expired.map((command) => ({ command, result: commandFailure(USP_ERR.COMMAND_FAILURE, `timeout: the CPE did not complete ${command.command} within ${Math.round(this.timeoutMs(command.kind) / 1000)} s`) }));
      });
    }
  }

  /** At start: the deadlines of the agents' stored commands, so the sweep
   * ends those whose follow-up this restart lost. */
  async restore(endpointIds: string[]): Promise<void> {
    for (const endpointId of endpointIds) this.index(endpointId, await loadState(this.deps.store, endpointId));
  }

  /** Puts the rows of running commands into a (re)built local tree: the
   * trees are an LRU cache and do not survive a restart; the store does. */
  async restoreRows(endpointId: string, tree: LocalTree, commands?: TrackedCommand[]): Promise<void> {
    for (const c of commands ?? (await this.running(endpointId))) {
      if (!hasRequestRow(tree, c.requestInstance)) addRequestRow(tree, { instance: c.requestInstance, originator: c.originator, command: c.command, commandKey: c.commandKey, status: "Active" });
    }
  }

  private async announce(endpointId: string, e: Ending): Promise<void> {
    const c = e.command;
    this.deps.logger.info({ endpointId, command: c.command, request: c.requestInstance, result: e.result.type }, "command complete");
    try {
      const tree = await this.deps.localAgents.tree(endpointId);
      setRequestStatus(tree, c.requestInstance, e.status ?? (e.result.type === "cmdFailure" ? "Error" : "Success"));
      // Gone before the Notify leaves, so a controller that hears of the
      // completion never finds the row still there (R-OPR.0).
      removeRequestRow(tree, c.requestInstance);
      await this.deps.notify(endpointId, c.command, operationComplete(c, e.result));
    } catch (err) {
      this.deps.logger.error({ err, endpointId, command: c.command }, "announcing a command's completion failed");
    }
  }

  private tracked(endpointId: string, originator: string, commandKey: string, s: StartedCommand): TrackedCommand {
    return {
      endpointId,
      requestInstance: s.requestInstance,
      originator,
      command: s.command,
      commandKey,
      cwmpCommandKey: s.cwmpCommandKey,
      kind: s.kind,
      deadline: this.deps.now() + this.timeoutMs(s.kind),
      ...(s.diagnosticsObject !== undefined ? { diagnosticsObject: s.diagnosticsObject } : {}),
      ...(s.image !== undefined ? { image: s.image } : {}),
      ...(s.execEnvRef !== undefined ? { execEnvRef: s.execEnvRef } : {}),
      ...(s.transferUrl !== undefined ? { transferUrl: s.transferUrl } : {}),
    };
  }

  private index(endpointId: string, state: AgentCommandState): void {
    if (state.commands.length === 0) this.deadlines.delete(endpointId);
    else this.deadlines.set(endpointId, Math.min(...state.commands.map((c) => c.deadline)));
  }

  private timeoutMs(kind: CommandKind): number {
    return this.deps.timeoutsMs?.[kind] ?? COMMAND_TIMEOUTS_MS[kind];
  }
}

/** Removes the commands with these Request instances from the state, returning them. */
export function take(state: AgentCommandState, instances: readonly number[]): TrackedCommand[] {
  const taken = state.commands.filter((c) => instances.includes(c.requestInstance));
  state.commands = state.commands.filter((c) => !instances.includes(c.requestInstance));
  return taken;
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
