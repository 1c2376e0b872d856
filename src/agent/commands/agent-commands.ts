// USP commands of the virtual agents, as one collaborator for the composition
// root: the planner's view of each agent and what an Operate changed
// (CommandHooks for the session work), the CWMP events that close async
// commands, their timeouts, and R-OPR.4 (no OperateResp for send_resp=false).
import type { Logger } from "pino";
import type { CpeRequest, Inform } from "../../cwmp/rpc.js";
import type { PendingRequest, Store } from "../../store/store.js";
import type { CommandKind, OperateEffects, OperateEnv } from "../../translate/commands.js";
import { operateReplyWanted } from "../../translate/operate.js";
import type { UspReply } from "../../translate/plan.js";
import type { Notification } from "../../usp/messages.js";
import type { GatewayTask } from "../gateway-tasks.js";
import type { TrackedCommand } from "./command-state.js";
import type { LocalAgents } from "../local-agent/local-agents.js";
import type { LocalTree } from "../local-agent/local-tree.js";
import type { CommandHooks } from "../session-work.js";
import { CommandEvents } from "./command-events.js";
import { CommandTracker } from "./command-tracker.js";

export interface AgentCommandsDeps {
  store: Store;
  localAgents: LocalAgents;
  logger: Logger;
  now(): number;
  /** OperationComplete to the subscribers of a command path. */
  notify(endpointId: string, commandPath: string, notification: Notification): Promise<void>;
  enqueueTask(endpointId: string, task: GatewayTask): void;
  wake(endpointId: string): void;
  timeoutsMs?: Partial<Record<CommandKind, number>>;
  /** SendOnBoardRequest(): an OnBoardRequest Notify to the Controller of that row. */
  sendOnBoardRequest?(endpointId: string, controllerRow: string): Promise<void>;
}

export class AgentCommands implements CommandHooks {
  readonly tracker: CommandTracker;
  private readonly events: CommandEvents;

  constructor(private readonly deps: AgentCommandsDeps) {
    this.tracker = new CommandTracker(deps);
    this.events = new CommandEvents({ tracker: this.tracker, enqueueTask: deps.enqueueTask, wake: deps.wake, logger: deps.logger });
  }

  envFor(endpointId: string): Promise<OperateEnv> {
    return this.tracker.envFor(endpointId);
  }

  apply(pending: PendingRequest, effects: OperateEffects): Promise<void> {
    return this.tracker.apply(pending, effects);
  }

  async afterReply(pending: PendingRequest, effects: OperateEffects): Promise<void> {
    // After the OperateResp, as TR-181 says the request goes out once the command succeeded.
    for (const row of effects.onBoardRequests ?? []) await this.deps.sendOnBoardRequest?.(pending.endpointId, row);
    return this.tracker.afterReply(pending, effects);
  }

  /** See CommandEvents.onInform. */
  onInform(endpointId: string, inform: Inform): Promise<{ inform: Inform; remoteFactoryResetPending: boolean }> {
    return this.events.onInform(endpointId, inform);
  }

  onCpeRequest(endpointId: string, request: CpeRequest): Promise<TrackedCommand | undefined> {
    return this.events.onCpeRequest(endpointId, request);
  }

  sweep(): Promise<void> {
    return this.tracker.sweep();
  }

  /** At start: timeouts for the commands stored before a restart. */
  restore(endpointIds: string[]): Promise<void> {
    return this.tracker.restore(endpointIds);
  }

  restoreRows(endpointId: string, tree: LocalTree): Promise<void> {
    return this.tracker.restoreRows(endpointId, tree);
  }

  /** R-OPR.4: false for an OperateResp the controller asked not to get. */
  replyWanted(pending: PendingRequest, reply: UspReply): boolean {
    return pending.request.type !== "operate" || operateReplyWanted(pending.request.operate, reply);
  }
}
