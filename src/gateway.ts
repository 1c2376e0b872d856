// The composition root: the only place that creates I/O objects (servers,
// clients, timers) and wires the parts together. Everything else receives its
// collaborators as arguments.
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import { Acs } from "./cwmp/acs.js";
import { sendConnectionRequest, type ConnectionRequestOutcome } from "./cwmp/connection-request.js";
import { CpeAuthenticator } from "./cwmp/cpe-auth.js";
import { createCwmpHttpServer } from "./cwmp/http-server.js";
import { replyMsg, replyRecordVersion } from "./agent/reply.js";
import { RequestQueue } from "./agent/request-queue.js";
import { RequestRouter } from "./agent/request-router.js";
import { SessionWork } from "./agent/session-work.js";
import { VirtualAgents } from "./agent/virtual-agents.js";
import { LocalAgents } from "./agent/local-agent/local-agents.js";
import { endpointIdFor } from "./agent/endpoint-id.js";
import { AgentNotifications } from "./agent/notify/agent-notifications.js";
import { Notifier } from "./agent/notify/notifier.js";
import { ValueChangeSync } from "./agent/notify/value-change-sync.js";
import { InstanceWatch } from "./agent/notify/instance-watch.js";
import { AgentCommands } from "./agent/commands/agent-commands.js";
import { GatewayMetrics } from "./ops/metrics.js";
import { createOpsServer } from "./ops/ops-server.js";
import { adminApi } from "./ops/admin-api.js";
import { createAdminBackend } from "./ops/admin-backend.js";
import { MemoryStore } from "./store/memory.js";
import { RedisStore } from "./store/redis.js";
import type { DeviceRecord, PendingRequest, Store } from "./store/store.js";
import type { UspReply } from "./translate/plan.js";
import { encodeRecord, noSessionRecord } from "./usp/encode.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./usp/mtp/embedded-broker.js";
import { mtpFor, type Mtp, type ReplyAddress } from "./usp/mtp/mtp.js";
import { controllerAddresses, createMqttMtp, createWebSocketMtp, localAgentMtps, mqttClientViews, restoreMqttSubscriptions } from "./gateway-mtps.js";
import { loadGatewayTls } from "./tls.js";
import { DeviceProfiles } from "./vendors/device-profiles.js";
import { VendorOverlays } from "./vendors/overlays.js";
import { Tr098Bridge } from "./agent/tr098/bridge.js";
import { TRANSFER_COMPLETE_EVENT, autonomousTransferComplete, requestedTransferComplete } from "./agent/notify/transfer-complete.js";
import { loadRules } from "./translate/tr098/mapping.js";
import type { CompiledRules } from "./translate/tr098/rules.js";

export interface Gateway {
  /** The CWMP ACS URL CPEs should use. */
  readonly acsUrl: string;
  /** The MQTT broker URL in use (embedded or configured). */
  readonly mqttUrl: string;
  /** Base URL of /metrics, /healthz and /readyz ("" when disabled). */
  readonly opsUrl: string;
  /** Base URL of the WebSocket MTP server; agents are at <url>/<endpoint id> ("" when disabled). */
  readonly websocketUrl: string;
  readonly store: Store;
  stop(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1000;
/** What a CPE informing during shutdown is told: by then this instance is gone
 * and a restarted one (or another instance) serves it. */
const DRAIN_RETRY_AFTER_SECONDS = 30;
const DRAIN_POLL_MS = 50;
/** Device.LocalAgent.SoftwareVersion: the version of this gateway, read once from package.json. */
const GATEWAY_VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
/** Cached device models (parameter names and types), bounded by count. */
const MAX_CACHED_MODELS = 10_000;
/** Devices whose vendor overlay stays resolved: a map entry each, so a whole fleet fits. */
const MAX_CACHED_PROFILES = 200_000;

export async function startGateway(config: Config, logger: Logger): Promise<Gateway> {
  const now = Date.now;
  // First, before anything is opened: a broken overlay stops start-up (VendorOverlayError).
  const overlays = VendorOverlays.load(config.vendorOverlayDirs);
  const tls = loadGatewayTls(config);
  const store = await openStore(config, logger);
  const profiles = new DeviceProfiles({ overlays, store, maxCached: MAX_CACHED_PROFILES });
  // TR-098 CPEs (issue 4): the mapping rules, with each overlay's overrides,
  // checked now so that a broken rule stops start-up naming it.
  const tr098Rules = loadRules();
  const overlayRules = new Map<string, CompiledRules>();
  for (const overlay of overlays.all()) {
    if (overlay.rules.length === 0) continue;
    try {
      overlayRules.set(overlay.file, loadRules(overlay.rules));
    } catch (err) {
      throw new Error(`vendor overlay ${overlay.file}: ${(err as Error).message}`);
    }
  }
  const tr098 = new Tr098Bridge({
    store,
    logger: logger.child({ component: "tr098" }),
    now,
    profileFor: (endpointId) => profiles.profileFor(endpointId),
    rulesFor: async (endpointId) => {
      const overlay = await profiles.overlayFor(endpointId);
      return (overlay === undefined ? undefined : overlayRules.get(overlay.file)) ?? tr098Rules;
    },
    maxCachedDevices: MAX_CACHED_MODELS,
  });
  const broker = config.mqtt.url === undefined ? await startBroker(config, logger) : undefined;
  const mqttUrl = config.mqtt.url ?? broker?.url ?? "";
  const mtp = createMqttMtp(config, mqttUrl, broker?.mqtt311Only === true ? 4 : config.mqtt.version, tls, store, logger);
  const wsMtp = createWebSocketMtp(config, tls, logger, (endpointId) => agents.isKnown(endpointId));
  /** Every MTP the agents are reachable on; replies pick theirs by address (mtpFor). */
  const mtps: Mtp[] = wsMtp === undefined ? [mtp] : [mtp, wsMtp];

  let acs: Acs | undefined;
  const counts = { accepted: 0, answered: 0 };
  const metrics = new GatewayMetrics({
    openSessions: () => acs?.openSessionCount() ?? 0,
    pendingRequests: () => Math.max(0, counts.accepted - counts.answered),
  });

  const sendReply = async (endpointId: string, controllerId: string, msgId: string, replyTo: ReplyAddress, version: string, reply: UspReply): Promise<void> => {
    const bytes = noSessionRecord({ toId: controllerId, fromId: endpointId, version: replyRecordVersion(version), msg: replyMsg(msgId, reply) });
    try {
      await mtpFor(mtps, replyTo).send(endpointId, replyTo, bytes);
      logger.debug({ endpointId, msgId, controllerId, kind: reply.kind }, "USP reply sent");
    } catch (err) {
      logger.error({ endpointId, msgId, err: (err as Error).message }, "sending USP reply failed");
    }
  };
  const answer = (p: PendingRequest, reply: UspReply): Promise<void> => {
    counts.answered += 1;
    metrics.uspReplies.inc({ type: p.request.type, result: replyResult(reply) });
    metrics.uspRequestSeconds.observe({ type: p.request.type }, (now() - p.receivedAt) / 1000);
    // R-OPR.4: an Operate with send_resp=false gets no OperateResp.
    if (!commands.replyWanted(p, reply)) return Promise.resolve();
    const sent = sendReply(p.endpointId, p.controllerId, p.msgId, p.replyTo, p.recordVersion, reply);
    // Subscribers hear of objects this request created or deleted (ObjectCreation/ObjectDeletion).
    void sent.then(() => notifications.onReply(p, reply)).catch((err: unknown) => logger.error({ err, endpointId: p.endpointId }, "object notifications failed"));
    return sent;
  };

  const agents = new VirtualAgents({
    store,
    mtps,
    logger,
    now,
    scheme: config.endpointId.scheme,
    controllers: controllerAddresses(config),
  });
  const startedAt = now();
  const mqttClientOf = mqttClientViews(config, mtp, mqttUrl, tls);
  let valueChangeSync: ValueChangeSync | undefined;
  const localAgents = new LocalAgents({
    store,
    maxCached: MAX_CACHED_MODELS,
    contextFor: (endpointId) => ({
      endpointId,
      softwareVersion: GATEWAY_VERSION,
      startedAt,
      now,
      ...localAgentMtps(config, mtp, endpointId),
      mqttClient: mqttClientOf(endpointId),
    }),
    onMqttKeepAlive: (endpointId, seconds) => mtp.forAgent(endpointId).setKeepAlive(seconds),
    onMqttSubscriptions: (endpointId, subscriptions) => mtp.forAgent(endpointId).setSubscriptions(subscriptions),
    onSubscriptionsChanged: (endpointId) => {
      void valueChangeSync?.sync(endpointId).catch((err: unknown) => logger.error({ err, endpointId }, "notification attribute sync failed"));
    },
    onTreeBuilt: (endpointId, tree) => commands.restoreRows(endpointId, tree),
    logger: logger.child({ component: "local-agent" }),
  });
  const notifier = new Notifier({
    logger,
    now,
    random: Math.random,
    // TR-181 defaults of Controller.{i}.USPNotifRetryMinimumWaitInterval / IntervalMultiplier.
    minWaitSeconds: 5,
    intervalMultiplier: 2000,
    send: async (endpointId, controllerId, msg) => {
      const address = agents.controllerAddress(controllerId);
      if (address === undefined) return false;
      try {
        await mtpFor(mtps, address).send(endpointId, address, noSessionRecord({ toId: controllerId, fromId: endpointId, msg }));
        return true;
      } catch (err) {
        // E.g. an MQTT PUBLISH dropped when the broker refused the subscription (R-MQTT.16): the retry schedule goes on.
        logger.warn({ endpointId, controllerId, err: (err as Error).message }, "Notify not delivered");
        return false;
      }
    },
  });
  const notifications = new AgentNotifications({
    localAgents,
    notifier,
    logger,
    controllerIds: () => config.controllers.map((c) => c.endpointId),
    instanceWatch: new InstanceWatch(store),
    deviceIdOf: async (endpointId) => (await store.getDevice(endpointId))?.deviceId,
    profileFor: (endpointId) => profiles.profileFor(endpointId),
    wake: (endpointId) => void queue.wake(endpointId).catch((err: unknown) => logger.error({ err, endpointId }, "wake failed")),
    // The session work (and its task queue) is built after the notifications it reports to.
    get tasks() {
      return work.tasks;
    },
  });
  const commands: AgentCommands = new AgentCommands({
    store,
    localAgents,
    logger,
    now,
    notify: (endpointId, commandPath, notification): Promise<void> => notifications.notifyType(endpointId, "OperationComplete", commandPath, notification),
    sendOnBoardRequest: (endpointId, controllerRow) => notifications.onBoardRequestTo(endpointId, controllerRow),
    enqueueTask: (endpointId, task): void => work.tasks.enqueue(endpointId, task),
    wake: (endpointId) => void queue.wake(endpointId).catch((err: unknown) => logger.error({ err, endpointId }, "wake failed")),
  });
  const work = new SessionWork({
    store,
    logger,
    answer,
    maxCachedModels: MAX_CACHED_MODELS,
    localAgents,
    commands,
    // A session's work log lives as long as the session's lock (acs.ts).
    workLogTtlMs: config.cwmp.sessionTimeoutSeconds * 2000,
    profiles,
  });
  // One path for every Connection Request (queued work and the admin API), so each is counted.
  const connectionRequest = async (device: DeviceRecord): Promise<ConnectionRequestOutcome> => {
    const outcome = await sendConnectionRequest(device.connectionRequestUrl, device.connectionRequestAuth ?? config.cwmp.connectionRequest, {
      timeoutMs: config.cwmp.connectionRequest.timeoutSeconds * 1000,
    });
    metrics.connectionRequests.inc({ outcome: outcome.ok ? "ok" : outcome.reason });
    return outcome;
  };
  valueChangeSync = new ValueChangeSync({
    store,
    localAgents,
    tasks: work.tasks,
    logger,
    wake: (endpointId) => void queue.wake(endpointId).catch((err: unknown) => logger.error({ err, endpointId }, "wake failed")),
  });
  const queue = new RequestQueue({
    store,
    logger,
    now,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    hasOpenSession: (endpointId) => acs?.hasOpenSession(endpointId) ?? false,
    rewakeAfterMs: config.requestRewakeSeconds * 1000,
    isRunning: (requestId) => work.isRunning(requestId),
    hasGatewayTasks: (endpointId) => work.tasks.hasQueued(endpointId),
    tryLocally: (pending) => work.tryLocally(pending),
    answer,
    connectionRequest,
  });
  acs = new Acs({
    store,
    logger: logger.child({ component: "cwmp" }),
    sessionTimeoutMs: config.cwmp.sessionTimeoutSeconds * 1000,
    auth: new CpeAuthenticator(config.cwmp.auth),
    hooks: {
      onInform: async (inform, envelope) => {
        for (const e of inform.event) metrics.informs.inc({ event: eventLabel(e.eventCode) });
        const previous = await store.getDevice(endpointIdFor(inform.deviceId, config.endpointId.scheme));
        const endpointId = await agents.register(inform, envelope);
        profiles.learn(endpointId, inform.deviceId);
        tr098.noteRoot(endpointId, inform.parameterList.some((p) => p.name.startsWith("InternetGatewayDevice.")) ? "InternetGatewayDevice." : "Device.");
        if (inform.event.some((e) => e.eventCode === "0 BOOTSTRAP")) tr098.cpeReset(endpointId);
        // From here on the Inform is in TR-181 terms, whatever the CPE's root.
        inform = await tr098.translateInform(endpointId, inform);
        // Commands the Inform closes; its Boot! carries the controller's command_key.
        const command = await commands.onInform(endpointId, inform);
        const memory = { previousSoftwareVersion: previous?.softwareVersion, remoteFactoryResetPending: command.remoteFactoryResetPending };
        if (inform.event.some((e) => e.eventCode === "0 BOOTSTRAP")) void valueChangeSync?.cpeReset(endpointId);
        void notifications.onInform(endpointId, command.inform, memory).catch((err: unknown) => logger.error({ err, endpointId }, "Inform notifications failed"));
        const model = work.modelFor(endpointId);
        // After a (factory) reset or reboot the CPE's tree may differ: forget what we knew.
        if (inform.event.some((e) => e.eventCode === "0 BOOTSTRAP" || e.eventCode === "1 BOOT")) model.invalidate("");
        model.learnFromInform(inform.parameterList);
        return { ok: true, endpointId };
      },
      nextRpc: async (endpointId, sessionId, last) => {
        if (last !== undefined) {
          metrics.rpcs.inc({ method: last.request.method, result: last.outcome.ok ? "ok" : "fault" });
          if (!last.outcome.ok) metrics.cpeFaults.inc({ method: last.request.method, code: String(last.outcome.fault.faultCode) });
        }
        if (await tr098.handles(endpointId)) return tr098.nextRpc(endpointId, sessionId, last, (l) => work.nextRpc(endpointId, sessionId, l));
        return work.nextRpc(endpointId, sessionId, last);
      },
      // A session that went on at another instance: the translation this
      // instance had in progress for it is stale; the other continues it.
      onSessionMoved: (_endpointId, sessionId) => {
        tr098.sessionEnded(sessionId);
        work.sessionMoved(sessionId);
      },
      onCpeRequest: (endpointId, request) => {
        logger.debug({ endpointId, method: request.method }, "CPE request");
        void (async () => {
          const download = await commands.onCpeRequest(endpointId, request);
          if (request.method === "TransferComplete" && download !== undefined) {
            await notifications.notifyType(endpointId, "Event", TRANSFER_COMPLETE_EVENT, requestedTransferComplete(download, request));
          } else if (request.method === "AutonomousTransferComplete") {
            await notifications.notifyType(endpointId, "Event", TRANSFER_COMPLETE_EVENT, autonomousTransferComplete(request));
          }
        })().catch((err: unknown) => logger.error({ err, endpointId }, "closing a command failed"));
      },
      onSessionEnd: (endpointId, sessionId, reason) => {
        tr098.sessionEnded(sessionId);
        work.sessionEnded(sessionId);
        metrics.sessionsEnded.inc({ reason });
        logger.debug({ endpointId, sessionId, reason }, "CWMP session ended");
        void queue.afterSession(endpointId).catch((err: unknown) => logger.error({ err, endpointId }, "post-session wake failed"));
      },
    },
  });

  const router = new RequestRouter({
    logger,
    isKnownAgent: (endpointId) => agents.isKnown(endpointId),
    controllerAddress: (controllerId) => agents.controllerAddress(controllerId),
    reply: (ctx, reply) => {
      metrics.uspReplies.inc({ type: "local", result: replyResult(reply) });
      return sendReply(ctx.endpointId, ctx.controllerId, ctx.msgId, ctx.replyTo, ctx.recordVersion, reply);
    },
    dropped: (reason) => metrics.uspRecordsDropped.inc({ reason }),
    notifyResp: (endpointId, msgId) => {
      if (!notifier.acknowledge(msgId)) logger.debug({ endpointId, msgId }, "NotifyResp for no outstanding Notify");
    },
    disconnect: async (ctx) => {
      const bytes = encodeRecord({
        version: "1.4",
        toId: ctx.controllerId,
        fromId: ctx.endpointId,
        payloadSecurity: "PLAINTEXT",
        recordType: { type: "disconnect", reason: ctx.reason, reasonCode: ctx.reasonCode },
      });
      await mtpFor(mtps, ctx.replyTo).send(ctx.endpointId, ctx.replyTo, bytes);
    },
    accept: (request) => {
      counts.accepted += 1;
      metrics.uspRequests.inc({ type: request.request.type });
      return queue.accept(request);
    },
  });
  for (const m of mtps) {
    m.onRecord((bytes, replyTo) => {
      router.onRecord(bytes, replyTo).catch((err: unknown) => logger.error({ err }, "routing a USP Record failed"));
    });
    m.onChannelUp(() => {
      agents.announceAll(m.name).catch((err: unknown) => logger.error({ err, mtp: m.name }, "announcing agents failed"));
    });
    await m.start();
  }
  // Topics controllers added to the MQTT client before a restart are subscribed again.
  void restoreMqttSubscriptions(store, mtp).catch((err: unknown) => logger.error({ err }, "restoring MQTT Subscription rows failed"));
  // Requests queued before a restart still run: wake every device that has work.
  await wakeDevicesWithQueuedWork(store, queue, logger);
  // Async commands stored before a restart still end, on their timeout if their follow-up was lost.
  void store
    .listDevices()
    .then((devices) => commands.restore(devices.map((d) => d.endpointId)))
    .catch((err: unknown) => logger.error({ err }, "restoring command timeouts failed"));

  const http: FastifyInstance = createCwmpHttpServer({
    acs,
    logger,
    path: config.cwmp.path,
    maxBodyBytes: config.cwmp.maxBodyBytes,
    sessionTimeoutMs: config.cwmp.sessionTimeoutSeconds * 1000,
    ...(tls.cwmp !== undefined ? { tls: tls.cwmp } : {}),
  });
  await http.listen({ host: config.cwmp.host, port: config.cwmp.port });
  const address = http.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.cwmp.port;
  const host = config.cwmp.host === "0.0.0.0" || config.cwmp.host === "::" ? "127.0.0.1" : config.cwmp.host;
  const acsUrl = `${tls.cwmp !== undefined ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}${config.cwmp.path}`;
  logger.info({ acsUrl, mqttUrl, controllers: config.controllers.map((c) => c.endpointId), vendorOverlays: overlays.size }, "cwmp2usp gateway started");

  const ops = config.ops.enabled
    ? createOpsServer(metrics, [
        ...mtps.map((m) => ({ name: m.name, check: async () => m.isConnected() })),
        { name: "store", check: () => store.ping().then(() => true) },
      ])
    : undefined;
  let opsUrl = "";
  if (ops !== undefined) {
    await ops.register(adminApi, {
      token: config.ops.adminToken,
      logger: logger.child({ component: "admin-api" }),
      backend: createAdminBackend({
        store,
        now,
        hasOpenSession: (endpointId) => acs?.hasOpenSession(endpointId) ?? false,
        connectionRequest,
        answer,
        forgetCached: (endpointId) => {
          work.modelFor(endpointId).invalidate("");
          localAgents.forget(endpointId);
        },
      }),
    });
    await ops.listen({ host: config.ops.host, port: config.ops.port });
    const opsAddress = ops.server.address();
    const opsPort = typeof opsAddress === "object" && opsAddress !== null ? opsAddress.port : config.ops.port;
    opsUrl = `http://${config.ops.host === "0.0.0.0" || config.ops.host === "::" ? "127.0.0.1" : config.ops.host}:${opsPort}`;
    logger.info({ opsUrl }, "metrics and health endpoints listening");
  }

  const sweeper = setInterval(() => {
    acs?.sweepIdleSessions().catch((err: unknown) => logger.error({ err }, "idle session sweep failed"));
    queue.rewake().catch((err: unknown) => logger.error({ err }, "re-wake sweep failed"));
    queue.expire().catch((err: unknown) => logger.error({ err }, "request expiry sweep failed"));
    commands.sweep().catch((err: unknown) => logger.error({ err }, "command timeout sweep failed"));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  let stopped = false;
  return {
    acsUrl,
    mqttUrl,
    opsUrl,
    websocketUrl: websocketBaseUrl(config, wsMtp?.serverPort ?? 0),
    store,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await drainSessions(acs, config.shutdownGraceSeconds * 1000, logger);
      clearInterval(sweeper);
      notifier.stop();
      localAgents.stop();
      notifications.stop();
      await http.close();
      await ops?.close();
      acs?.closeAll();
      for (const m of mtps) await m.stop();
      await broker?.close();
      await store.close();
      logger.info("cwmp2usp gateway stopped");
    },
  };
}

function websocketBaseUrl(config: Config, port: number): string {
  const { enabled, host, path, tls } = config.websocket;
  if (!enabled) return "";
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `${tls !== undefined ? "wss" : "ws"}://${shown.includes(":") ? `[${shown}]` : shown}:${port}${path.replace(/\/+$/, "")}`;
}

/** Graceful shutdown (issue 5): new CWMP sessions are refused (503 +
 * Retry-After) while running ones finish, for at most `graceMs`; sessions
 * still open then are ended by the caller, and every request they had not
 * answered stays queued in the store (invariant 3). Idle sessions keep timing
 * out meanwhile, as the sweeper still runs. */
async function drainSessions(acs: Acs | undefined, graceMs: number, logger: Logger): Promise<void> {
  if (acs === undefined) return;
  acs.drain(DRAIN_RETRY_AFTER_SECONDS);
  const deadline = Date.now() + graceMs;
  if (acs.openSessionCount() > 0) logger.info({ sessions: acs.openSessionCount(), graceSeconds: graceMs / 1000 }, "shutting down: letting running CWMP sessions finish");
  while (acs.openSessionCount() > 0 && Date.now() < deadline) await delay(DRAIN_POLL_MS);
  if (acs.openSessionCount() > 0) logger.warn({ sessions: acs.openSessionCount() }, "shutdown grace period over: ending open CWMP sessions; their requests stay queued");
}

function replyResult(reply: UspReply): string {
  return reply.kind === "response" ? "response" : `error-${reply.error.errCode}`;
}

/** Event codes as metric labels; vendor events ("X <OUI> name") collapse to
 * "X" so label cardinality stays bounded. */
function eventLabel(eventCode: string): string {
  return eventCode.startsWith("X ") ? "X" : eventCode;
}

async function openStore(config: Config, logger: Logger): Promise<Store> {
  switch (config.store.type) {
    case "memory":
      return new MemoryStore(Date.now);
    case "redis": {
      const store = new RedisStore({
        url: config.store.url,
        keyPrefix: config.store.keyPrefix,
        onError: (err) => logger.warn({ err: err.message }, "Redis connection error"),
      });
      await store.connect();
      logger.info({ keyPrefix: config.store.keyPrefix }, "Redis store connected");
      return store;
    }
  }
}

async function wakeDevicesWithQueuedWork(store: Store, queue: RequestQueue, logger: Logger): Promise<void> {
  for (const device of await store.listDevices()) {
    if ((await store.pendingRequests(device.endpointId)).length === 0) continue;
    logger.info({ endpointId: device.endpointId }, "queued USP requests from before the restart: waking the CPE");
    void queue.wake(device.endpointId).catch((err: unknown) => logger.error({ err, endpointId: device.endpointId }, "wake failed"));
  }
}

async function startBroker(config: Config, logger: Logger): Promise<EmbeddedBroker | undefined> {
  const { host, port } = config.mqtt.embedded;
  try {
    const broker = await startEmbeddedBroker(host, port);
    if (config.mqtt.sharedGroup !== undefined) {
      // aedes has no shared subscriptions: a "$share/..." filter would match nothing.
      await broker.close();
      throw new Error("mqtt.sharedGroup needs an external MQTT 5 broker with shared subscriptions (set mqtt.url); the embedded one has none");
    }
    logger.info({ url: broker.url }, "embedded MQTT broker (aedes) started; set mqtt.url to use an external broker");
    // aedes speaks MQTT 3.1.1 only, so the gateway talks 3.1.1 to it (R-MQTT.2
    // allows it; replies then use the /reply-to= topic suffix, R-MQTT.24).
    if (config.mqtt.version === 5) logger.warn("the embedded broker speaks MQTT 3.1.1 only: using MQTT 3.1.1 (set mqtt.url to an MQTT 5 broker for MQTT 5)");
    return broker;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    // Something already listens on the embedded broker's port: on a lab machine
    // that is nearly always a local broker (e.g. Mosquitto), so use it.
    logger.warn({ host, port }, "embedded MQTT broker port is taken; using the broker already listening there (set mqtt.url to make this explicit)");
    return { url: `mqtt://${host}:${port}`, close: async () => undefined };
  }
}
