// Keeps each CPE's CWMP notification attributes in step with its agent's
// ValueChange subscriptions: on every subscription change (and after a
// factory reset, which clears attributes) the desired set is compared with
// the set applied — kept in the store, so a restart does not forget it — and
// a gateway task applies the difference in the CPE's next session.
import type { Logger } from "pino";
import type { Store } from "../../store/store.js";
import type { GatewayTasks } from "../gateway-tasks.js";
import type { LocalAgents } from "../local-agent/local-agents.js";
import { enabledSubscriptions } from "./subscriptions.js";
import { activeNotificationPaths, attributeChanges, attributeTask } from "./value-change-attributes.js";

/** Agent-rows table name for the applied attributes (not a TR-181 table). */
const APPLIED = "cwmp2usp:ActiveNotification";

export interface ValueChangeSyncDeps {
  store: Store;
  localAgents: LocalAgents;
  tasks: GatewayTasks;
  logger: Logger;
  /** Makes the CPE come (Connection Request) unless it is in session. */
  wake(endpointId: string): void;
}

export class ValueChangeSync {
  /** Devices with an attribute task queued or running; a change meanwhile is picked up when it ends. */
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();

  constructor(private readonly deps: ValueChangeSyncDeps) {}

  async applied(endpointId: string): Promise<string[]> {
    return (await this.deps.store.getAgentRows(endpointId, APPLIED)).map((r) => r.values.Name ?? "").filter((n) => n !== "");
  }

  /** A factory reset (0 BOOTSTRAP) clears the CPE's attributes: re-apply them all. */
  async cpeReset(endpointId: string): Promise<void> {
    await this.deps.store.putAgentRows(endpointId, APPLIED, []);
    await this.sync(endpointId);
  }

  async sync(endpointId: string): Promise<void> {
    if (this.busy.has(endpointId)) {
      this.dirty.add(endpointId);
      return;
    }
    // No Subscription rows (the usual case after a factory reset): nothing desired, no tree built.
    const tree = await this.deps.localAgents.subscribedTree(endpointId);
    const desired = tree === undefined ? [] : activeNotificationPaths(enabledSubscriptions(tree));
    const applied = await this.applied(endpointId);
    const change = attributeChanges(applied, desired);
    if (change.activate.length === 0 && change.deactivate.length === 0) return;
    this.busy.add(endpointId);
    const release = (): void => {
      this.busy.delete(endpointId);
      if (this.dirty.delete(endpointId)) void this.sync(endpointId);
    };
    const done = (active: string[]): void => {
      this.deps.logger.info({ endpointId, active, failed: change.activate.filter((p) => !active.includes(p)) }, "active notification attributes applied");
      void this.deps.store
        .putAgentRows(endpointId, APPLIED, active.map((Name, i) => ({ instance: i + 1, values: { Name } })))
        .finally(release);
    };
    // The session ended midway: try again in the next one.
    const abandoned = (): void => {
      this.busy.delete(endpointId);
      void this.sync(endpointId);
    };
    this.deps.tasks.enqueue(endpointId, attributeTask(change, applied, done, abandoned));
    this.deps.wake(endpointId);
  }
}
