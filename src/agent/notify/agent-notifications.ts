// Turns what happens to a virtual agent into Notify messages for the
// controllers that subscribed (Device.LocalAgent.Subscription.): events and
// value changes from the CPE's Informs, ObjectCreation/ObjectDeletion from
// the Add/Delete requests the gateway carried out, and OnBoardRequest on a
// CPE's first contact. Subscriptions are the agent's own rows; a change made
// by the subscribing controller itself is notified too (usp.md §5), a value a
// controller's Set wrote by the gateway itself (the CPE does not report it).
import type { Logger } from "pino";
import type { DeviceIdStruct, Inform, ParameterValue } from "../../cwmp/rpc.js";
import type { PendingRequest } from "../../store/store.js";
import { DEFAULT_PROFILE, type DeviceProfile, type UspReply } from "../../translate/plan.js";
import type { Notification, SetResp } from "../../usp/messages.js";
import { AGENT_SUPPORTED_PROTOCOL_VERSIONS } from "../reply.js";
import type { LocalAgents } from "../local-agent/local-agents.js";
import type { LocalTree } from "../local-agent/local-tree.js";
import { CONTROLLER_TABLE } from "../local-agent/local-agent-model.js";
import { interpretInform, type AgentEvent, type DeviceMemory } from "./inform-events.js";
import { bootParameterTask, parameterMap, type BootValues } from "./boot-parameter-map.js";
import { bootParameterNames } from "../local-agent/boot-parameters.js";
import type { Notifier } from "./notifier.js";
import type { GatewayTasks } from "../gateway-tasks.js";
import { diffNotifications, watchedRoots, type InstanceDiff, type InstanceWatch } from "./instance-watch.js";
import { enabledSubscriptions, subscribersTo, type NotifType, type Subscription } from "./subscriptions.js";
import { conditionNames, conditionsHold, matchReference, readTask, type Condition } from "./search-match.js";
import { configParameterList, parseTriggerConfigSettings, triggerConfigTask } from "./trigger-config.js";

export interface AgentNotificationsDeps {
  localAgents: LocalAgents;
  notifier: Notifier;
  logger: Logger;
  /** Every configured controller's endpoint id (OnBoardRequest goes to all of them). */
  controllerIds(): string[];
  /** Lists subscribed tables in the CPE's session to notice changes it made itself. */
  instanceWatch: InstanceWatch;
  tasks: GatewayTasks;
  /** The CPE's DeviceId from its last Inform, for an OnBoardRequest sent outside an Inform. */
  deviceIdOf?(endpointId: string): Promise<DeviceIdStruct | undefined>;
  /** The CPE's quirk flags, for reading Boot! ParameterMap values; absent: DEFAULT_PROFILE. */
  profileFor?(endpointId: string): Promise<DeviceProfile>;
  /** Brings the CPE back (Connection Request) unless a session is open, for a task queued after its session ended. */
  wake?(endpointId: string): void;
}

/** Device.LocalAgent.Controller.{i}.OnBoardingComplete written false. */
const ON_BOARDING_RESET = /^(Device\.LocalAgent\.Controller\.[1-9][0-9]*)\.OnBoardingComplete$/;

export class AgentNotifications {
  /** OnBoardingRestartTime timers, cleared at stop. */
  private readonly onBoardTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: AgentNotificationsDeps) {}

  stop(): void {
    this.stopped = true;
    for (const timer of this.onBoardTimers) clearTimeout(timer);
    this.onBoardTimers.clear();
  }

  async onInform(endpointId: string, inform: Inform, memory: DeviceMemory): Promise<void> {
    const meaning = interpretInform(inform, memory);
    // Agents without Subscription rows (most of a fleet) get no tree built.
    const tree = await this.deps.localAgents.subscribedTree(endpointId);
    const subscriptions = tree === undefined ? [] : enabledSubscriptions(tree);
    if (tree !== undefined) {
      for (const event of meaning.events) {
        const subscribers = subscribersTo(subscriptions, "Event", `${event.objPath}${event.eventName}`);
        if (event.objPath === "Device." && event.eventName === "Boot!") {
          await this.notifyBoot(endpointId, tree, subscribers, event);
          continue;
        }
        const notification: Notification = { type: "event", event };
        await this.fanOut(endpointId, tree, subscribers, notification);
      }
      await this.notifyValueChanges(endpointId, tree, subscriptions, meaning.valueChanges);
    }
    if (meaning.onBoard) await this.onBoard(endpointId, inform.deviceId);
    const roots = watchedRoots(subscriptions);
    if (roots.length > 0) {
      // Runs in this very session, before any queued USP request.
      this.deps.tasks.enqueue(endpointId, this.deps.instanceWatch.task(endpointId, roots, (diff) => void this.onCpeChanges(endpointId, diff)));
    }
  }

  private async onCpeChanges(endpointId: string, diff: InstanceDiff): Promise<void> {
    const tree = await this.deps.localAgents.tree(endpointId);
    for (const n of diffNotifications(enabledSubscriptions(tree), diff)) {
      // unique_keys would need another read of each new row; the path identifies it.
      const notification: Notification = n.kind === "created" ? { type: "objCreation", objCreation: { objPath: n.path, uniqueKeys: {} } } : { type: "objDeletion", objDeletion: { objPath: n.path } };
      await this.fanOut(endpointId, tree, [n.subscription], notification);
    }
  }

  /** Boot! to each subscriber, with the ParameterMap of its recipient
   * Controller's enabled BootParameter rows. Their values are read from the
   * CPE in this session (boot-parameter-map.ts); a Controller without rows
   * gets its Boot! at once with an empty map. */
  private async notifyBoot(endpointId: string, tree: LocalTree, subscribers: Subscription[], event: AgentEvent): Promise<void> {
    const boot = (map: string): Notification => ({ type: "event", event: { ...event, params: { ...event.params, ParameterMap: map } } });
    const withNames = subscribers.map((subscription) => ({ subscription, names: bootParameterNames(tree, tree.value(`${subscription.recipient}.EndpointID`) ?? "") }));
    const reading = withNames.filter((r) => r.names.length > 0);
    if (reading.length > 0) {
      const send = (values: BootValues): void => {
        void (async () => {
          for (const r of reading) await this.fanOut(endpointId, tree, [r.subscription], boot(parameterMap(r.names, values)));
        })().catch((err: unknown) => this.deps.logger.error({ err, endpointId }, "Boot! notification failed"));
      };
      const names = [...new Set(reading.flatMap((r) => r.names))];
      // Queued before any Notify is published: the boot session must still be
      // open when the task is, or the read waits for the CPE's next session.
      const task = bootParameterTask({
        names,
        profile: (await this.deps.profileFor?.(endpointId)) ?? DEFAULT_PROFILE,
        served: tree,
        done: send,
        failed: (reason) => {
          // The Boot! still goes out: a controller must hear of the reboot.
          this.deps.logger.warn({ endpointId, names, reason }, "Boot! sent with an empty ParameterMap");
          send(new Map());
        },
      });
      this.deps.tasks.enqueue(endpointId, task);
      // The boot session may have ended while the rows were looked up: the
      // read then needs a session of its own (a no-op while one is open).
      this.deps.wake?.(endpointId);
    }
    for (const r of withNames) if (r.names.length === 0) await this.fanOut(endpointId, tree, [r.subscription], boot("{}"));
  }

  /** After the reply to a controller's Add or Delete: ObjectCreation / ObjectDeletion. */
  async onReply(pending: PendingRequest, reply: UspReply): Promise<void> {
    if (reply.kind !== "response") return;
    const response = reply.response;
    if (response.type === "setResp") {
      await this.onOwnSet(pending.endpointId, response.setResp);
      return;
    }
    const created: { path: string; keys: Record<string, string> }[] = [];
    const deleted: string[] = [];
    if (response.type === "addResp") {
      for (const r of response.addResp.createdObjResults) {
        if (r.operStatus.type === "operSuccess") created.push({ path: r.operStatus.instantiatedPath, keys: r.operStatus.uniqueKeys });
      }
    } else if (response.type === "deleteResp") {
      for (const r of response.deleteResp.deletedObjResults) if (r.operStatus.type === "operSuccess") deleted.push(...r.operStatus.affectedPaths);
    } else {
      return;
    }
    await this.deps.instanceWatch.recordOwnChanges(pending.endpointId, { created: created.map((c) => c.path), deleted });
    const tree = await this.deps.localAgents.tree(pending.endpointId);
    const subscriptions = enabledSubscriptions(tree);
    for (const c of created) {
      await this.fanOut(pending.endpointId, tree, subscribersTo(subscriptions, "ObjectCreation", c.path), { type: "objCreation", objCreation: { objPath: c.path, uniqueKeys: c.keys } });
    }
    for (const path of deleted) {
      await this.fanOut(pending.endpointId, tree, subscribersTo(subscriptions, "ObjectDeletion", path), { type: "objDeletion", objDeletion: { objPath: path } });
    }
  }

  /** ValueChange for what a controller's Set wrote (TP-469 1.52): a CWMP CPE
   * does not report changes its ACS made (TR-069 §3.2.1), so the gateway
   * notifies the values it set itself, from the SetResp's updated_params. */
  private async onOwnSet(endpointId: string, setResp: SetResp): Promise<void> {
    const changes = setResp.updatedObjResults.flatMap((r) =>
      r.operStatus.type === "operSuccess"
        ? r.operStatus.updatedInstResults.flatMap((u) => Object.entries(u.updatedParams).map(([param, value]) => ({ paramPath: u.affectedPath + param, value })))
        : [],
    );
    if (changes.length === 0) return;
    const tree = await this.deps.localAgents.tree(endpointId);
    await this.notifyValueChanges(endpointId, tree, enabledSubscriptions(tree), changes);
    // R-NOT.5: OnBoardingComplete false makes the agent send an OnBoardRequest
    // to that Controller (TP-469 1.101).
    for (const change of changes) {
      const row = ON_BOARDING_RESET.exec(change.paramPath)?.[1];
      if (row === undefined || !["false", "0"].includes(change.value)) continue;
      const controllerId = tree.value(`${row}.EndpointID`);
      const deviceId = await this.deps.deviceIdOf?.(endpointId);
      if (controllerId !== undefined && deviceId !== undefined) await this.sendOnBoardRequest(endpointId, controllerId, deviceId);
    }
  }

  /** Controller.{i}.SendOnBoardRequest(): one OnBoardRequest to that Controller. */
  async onBoardRequestTo(endpointId: string, controllerRow: string): Promise<void> {
    const tree = await this.deps.localAgents.tree(endpointId);
    const controllerId = tree.value(`${controllerRow}.EndpointID`);
    const deviceId = await this.deps.deviceIdOf?.(endpointId);
    if (controllerId === undefined || deviceId === undefined) {
      this.deps.logger.warn({ endpointId, controllerRow }, "SendOnBoardRequest(): no such Controller or no DeviceId known");
      return;
    }
    await this.sendOnBoardRequest(endpointId, controllerId, deviceId);
  }

  /** Notifies subscribers of one type; exposed for commands (OperationComplete). */
  async notifyType(endpointId: string, notifType: NotifType, path: string, notification: Notification): Promise<void> {
    const tree = await this.deps.localAgents.tree(endpointId);
    await this.fanOut(endpointId, tree, subscribersTo(enabledSubscriptions(tree), notifType, path), notification);
  }

  /** ValueChange Notifies for the changes an Inform reported. A subscriber
   * whose ReferenceList covers a change only through a search expression is
   * notified once the expression's parameters, read in this same session,
   * match (search-match.ts, TP-469 1.84). */
  private async notifyValueChanges(endpointId: string, tree: LocalTree, subscriptions: Subscription[], changes: { paramPath: string; value: string }[]): Promise<void> {
    const checks: { subscription: Subscription; notification: Notification; alternatives: Condition[][] }[] = [];
    for (const change of changes) {
      const notification: Notification = { type: "valueChange", valueChange: { paramPath: change.paramPath, paramValue: change.value } };
      const now: Subscription[] = [];
      for (const subscription of subscriptions) {
        if (subscription.notifType !== "ValueChange") continue;
        const matches = subscription.referenceList.map((ref) => matchReference(ref, change.paramPath));
        if (matches.some((m) => m.kind === "always")) now.push(subscription);
        else {
          const alternatives = matches.flatMap((m) => (m.kind === "if" ? [m.conditions] : []));
          if (alternatives.length > 0) checks.push({ subscription, notification, alternatives });
        }
      }
      await this.fanOut(endpointId, tree, now, notification);
    }
    if (checks.length === 0) return;
    const names = [...new Set(checks.flatMap((c) => c.alternatives.flatMap(conditionNames)))];
    const matched = async (values: Map<string, ParameterValue>): Promise<void> => {
      for (const c of checks) if (c.alternatives.some((conditions) => conditionsHold(conditions, values))) await this.fanOut(endpointId, tree, [c.subscription], c.notification);
    };
    const task = readTask(
      "search expressions of ValueChange subscriptions",
      names,
      (values) => void matched(values).catch((err: unknown) => this.deps.logger.error({ err, endpointId }, "ValueChange notification failed")),
      () => this.deps.logger.warn({ endpointId, names }, "session ended before the search expressions of ValueChange subscriptions were read: those changes are not notified"),
    );
    this.deps.tasks.enqueue(endpointId, task);
  }

  private async fanOut(endpointId: string, tree: LocalTree, subscriptions: Subscription[], notification: Notification): Promise<void> {
    for (const subscription of subscriptions) {
      if (subscription.triggerAction !== "Notify") this.applyTriggerConfig(endpointId, subscription);
      if (subscription.triggerAction === "Config") continue;
      const controllerId = tree.value(`${subscription.recipient}.EndpointID`);
      if (controllerId === undefined) {
        this.deps.logger.warn({ endpointId, subscription: subscription.id }, "subscription without a known recipient controller");
        continue;
      }
      await this.deps.notifier.notify({
        endpointId,
        controllerId,
        subscriptionId: subscription.id,
        sendResp: subscription.notifRetry,
        notification,
        expirationSeconds: subscription.notifExpiration,
      });
    }
  }

  /** TriggerAction Config / NotifyAndConfig (TP-469 1.93/1.94): the
   * subscription's TriggerConfigSettings are written to the CPE in its
   * current session, or in its next one when none is open. */
  private applyTriggerConfig(endpointId: string, subscription: Subscription): void {
    const settings = parseTriggerConfigSettings(subscription.triggerConfigSettings) ?? [];
    const parameterList = configParameterList(settings);
    if (parameterList.length === 0) return;
    const log = { endpointId, subscription: subscription.id, parameters: parameterList.map((p) => p.name) };
    const task = triggerConfigTask(
      parameterList,
      (faultCode) => {
        if (faultCode === 0) this.deps.logger.info(log, "TriggerConfigSettings applied");
        else this.deps.logger.warn({ ...log, faultCode }, "TriggerConfigSettings refused by the CPE");
      },
      () => this.deps.logger.warn(log, "session ended before TriggerConfigSettings were applied"),
    );
    this.deps.tasks.enqueue(endpointId, task);
  }

  /** R-NOT.5/6: OnBoardRequest to every controller, send_resp true, retried until a NotifyResp. */
  private async onBoard(endpointId: string, deviceId: DeviceIdStruct): Promise<void> {
    for (const controllerId of this.deps.controllerIds()) await this.sendOnBoardRequest(endpointId, controllerId, deviceId);
  }

  /** One OnBoardRequest (send_resp true, retried until the NotifyResp). After
   * the NotifyResp, while the Controller's OnBoardingComplete stays false and
   * its OnBoardingRestartTime is above 0, it is sent again that many seconds
   * later, and so on (TP-469 1.102; 0 disables it, 1.103). */
  private async sendOnBoardRequest(endpointId: string, controllerId: string, deviceId: DeviceIdStruct): Promise<void> {
    await this.deps.notifier.notify({
      endpointId,
      controllerId,
      subscriptionId: "",
      sendResp: true,
      notification: {
        type: "onBoardReq",
        onBoardReq: {
          oui: deviceId.oui,
          productClass: deviceId.productClass,
          serialNumber: deviceId.serialNumber,
          agentSupportedProtocolVersions: AGENT_SUPPORTED_PROTOCOL_VERSIONS,
        },
      },
      onAcknowledged: () => void this.restartOnBoarding(endpointId, controllerId, deviceId).catch((err: unknown) => this.deps.logger.error({ err, endpointId, controllerId }, "OnBoardingRestartTime failed")),
    });
  }

  private async restartOnBoarding(endpointId: string, controllerId: string, deviceId: DeviceIdStruct): Promise<void> {
    // Agents that kept the default values (no restart) get no tree built.
    const tree = await this.deps.localAgents.onBoardingTree(endpointId);
    if (tree === undefined) return;
    const settings = onBoardingSettings(tree, controllerId);
    if (settings === undefined || settings.complete || settings.restartSeconds === 0 || this.stopped) return;
    const timer = setTimeout(() => {
      this.onBoardTimers.delete(timer);
      void (async () => {
        // Read again: the Controller may have completed onboarding meanwhile.
        const now = onBoardingSettings(await this.deps.localAgents.tree(endpointId), controllerId);
        if (now !== undefined && !now.complete && !this.stopped) await this.sendOnBoardRequest(endpointId, controllerId, deviceId);
      })().catch((err: unknown) => this.deps.logger.error({ err, endpointId, controllerId }, "OnBoardRequest re-send failed"));
    }, settings.restartSeconds * 1000);
    timer.unref();
    this.onBoardTimers.add(timer);
  }

}

/** The Controller row's OnBoardingComplete and OnBoardingRestartTime, or
 * undefined when `controllerId` has no row. */
function onBoardingSettings(tree: LocalTree, controllerId: string): { complete: boolean; restartSeconds: number } | undefined {
  const row = tree.rows(CONTROLLER_TABLE).find((i) => tree.value(`${CONTROLLER_TABLE}${i}.EndpointID`) === controllerId);
  if (row === undefined) return undefined;
  const v = (rel: string): string => tree.value(`${CONTROLLER_TABLE}${row}.${rel}`) ?? "";
  return { complete: ["true", "1"].includes(v("OnBoardingComplete")), restartSeconds: Number.parseInt(v("OnBoardingRestartTime"), 10) || 0 };
}
