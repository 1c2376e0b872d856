// The admin HTTP API (issue 5): list and search devices, one device's state,
// a Connection Request on demand, forgetting a device. A fastify plugin the
// composition root registers on the ops server; it reaches the gateway only
// through AdminBackend. It is never open by default: without a token the
// routes do not exist (404), and every route but the OpenAPI document wants
// `Authorization: Bearer <token>`.
import { createHash, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { ConnectionRequestOutcome } from "../cwmp/connection-request.js";
import type { DeviceRecord, PendingRequest } from "../store/store.js";
import { ADMIN_SCHEMAS, adminOpenApiDocument } from "./admin-openapi.js";

/** What the admin API may see and do, wired by gateway.ts. */
export interface AdminBackend {
  listDevices(): Promise<DeviceRecord[]>;
  getDevice(endpointId: string): Promise<DeviceRecord | undefined>;
  pendingRequests(endpointId: string): Promise<PendingRequest[]>;
  /** A CWMP session with the CPE is open now. */
  hasOpenSession(endpointId: string): boolean;
  connectionRequest(device: DeviceRecord): Promise<ConnectionRequestOutcome>;
  /** The agent's Device.LocalAgent.Subscription. rows. */
  subscriptions(endpointId: string): Promise<{ path: string; params: Record<string, string> }[]>;
  /** Removes the device; returns how many queued requests were answered because of it. */
  forgetDevice(endpointId: string): Promise<number>;
  now(): number;
}

export interface AdminApiOptions {
  /** ops.adminToken; undefined or "" disables the admin API. */
  token: string | undefined;
  backend: AdminBackend;
  logger: Logger;
}

interface ListQuery {
  query?: string;
  limit: number;
  offset: number;
}
interface DeviceParams {
  endpointId: string;
}

const REALM = "cwmp2usp-admin";

function packageVersion(): string {
  // ../../package.json is the package root from both src/ops/ and dist/ops/.
  const pkg = createRequire(import.meta.url)("../../package.json") as { version?: string };
  return pkg.version ?? "0.0.0";
}

/** Registers the admin routes (fastify plugin; encapsulated, so the auth hook
 * covers only the routes below). */
export async function adminApi(app: FastifyInstance, options: AdminApiOptions): Promise<void> {
  const { token, backend, logger } = options;
  if (token === undefined || token === "") {
    logger.info("admin API disabled: no ops.adminToken configured (set CWMP2USP_OPS__ADMINTOKEN to enable it)");
    return;
  }
  const document = adminOpenApiDocument(packageVersion());
  app.get("/admin/openapi.json", async () => document);
  await app.register(async (secured) => {
    secured.addHook("onRequest", bearerAuth(token, logger));
    registerDeviceRoutes(secured, backend, logger);
  });
  logger.info("admin API enabled on the ops port (/admin/openapi.json documents it)");
}

/** Compares digests, not the strings, so neither the token's content nor its
 * length leaks through timing (timingSafeEqual wants equal lengths). */
function bearerAuth(token: string, logger: Logger): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = createHash("sha256").update(token).digest();
  return async (request, reply) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const given = match?.[1];
    if (given !== undefined && timingSafeEqual(createHash("sha256").update(given).digest(), expected)) return;
    // RFC 6750 §3: no credentials → bare challenge; bad credentials → invalid_token.
    const challenge = given === undefined ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token"`;
    logger.warn({ ip: request.ip, method: request.method, url: request.url, reason: given === undefined ? "no bearer token" : "wrong token" }, "admin API request rejected");
    await reply
      .code(401)
      .header("www-authenticate", challenge)
      .send({ statusCode: 401, error: "Unauthorized", message: given === undefined ? "bearer token required" : "invalid token" });
  };
}

function registerDeviceRoutes(app: FastifyInstance, backend: AdminBackend, logger: Logger): void {
  const { errorBody, endpointIdParams } = ADMIN_SCHEMAS;
  app.get<{ Querystring: ListQuery }>(
    "/admin/devices",
    { schema: { querystring: ADMIN_SCHEMAS.listQuery, response: { 200: ADMIN_SCHEMAS.deviceList, 400: errorBody } } },
    async (request) => listDevices(backend, request.query),
  );
  app.get<{ Params: DeviceParams }>(
    "/admin/devices/:endpointId",
    { schema: { params: endpointIdParams, response: { 200: ADMIN_SCHEMAS.deviceDetail, 404: errorBody } } },
    async (request, reply) => {
      const device = await backend.getDevice(request.params.endpointId);
      if (device === undefined) return notFound(reply, request.params.endpointId);
      return deviceDetail(backend, device);
    },
  );
  app.post<{ Params: DeviceParams }>(
    "/admin/devices/:endpointId/connection-request",
    { schema: { params: endpointIdParams, response: { 200: ADMIN_SCHEMAS.connectionRequestResult, 404: errorBody } } },
    async (request, reply) => {
      const device = await backend.getDevice(request.params.endpointId);
      if (device === undefined) return notFound(reply, request.params.endpointId);
      const outcome = await backend.connectionRequest(device);
      logger.info({ endpointId: device.endpointId, ok: outcome.ok, ...(outcome.ok ? {} : { reason: outcome.reason }) }, "admin API: Connection Request sent");
      return { endpointId: device.endpointId, outcome };
    },
  );
  app.delete<{ Params: DeviceParams }>(
    "/admin/devices/:endpointId",
    { schema: { params: endpointIdParams, response: { 200: ADMIN_SCHEMAS.forgetResult, 404: errorBody } } },
    async (request, reply) => {
      const { endpointId } = request.params;
      if ((await backend.getDevice(endpointId)) === undefined) return notFound(reply, endpointId);
      const answeredRequests = await backend.forgetDevice(endpointId);
      logger.info({ endpointId, answeredRequests }, "admin API: device forgotten");
      return { endpointId, forgotten: true, answeredRequests };
    },
  );
}

async function notFound(reply: FastifyReply, endpointId: string): Promise<FastifyReply> {
  return reply.code(404).send({ statusCode: 404, error: "Not Found", message: `no device ${endpointId}` });
}

function matches(device: DeviceRecord, needle: string): boolean {
  const { oui, serialNumber, productClass } = device.deviceId;
  return [device.endpointId, oui, serialNumber, productClass].some((field) => field.toLowerCase().includes(needle));
}

async function listDevices(backend: AdminBackend, query: ListQuery): Promise<Record<string, unknown>> {
  const needle = (query.query ?? "").trim().toLowerCase();
  const all = await backend.listDevices();
  const found = (needle === "" ? all : all.filter((d) => matches(d, needle))).sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
  const page = found.slice(query.offset, query.offset + query.limit);
  return {
    total: found.length,
    limit: query.limit,
    offset: query.offset,
    devices: page.map((d) => ({
      endpointId: d.endpointId,
      ...d.deviceId,
      online: backend.hasOpenSession(d.endpointId),
      lastInformAt: new Date(d.lastInformAt).toISOString(),
      rootObject: d.rootObject,
    })),
  };
}

async function deviceDetail(backend: AdminBackend, device: DeviceRecord): Promise<Record<string, unknown>> {
  const now = backend.now();
  const [pending, subscriptions] = await Promise.all([backend.pendingRequests(device.endpointId), backend.subscriptions(device.endpointId)]);
  return {
    endpointId: device.endpointId,
    known: true,
    online: backend.hasOpenSession(device.endpointId),
    deviceId: device.deviceId,
    lastInformAt: new Date(device.lastInformAt).toISOString(),
    firstSeenAt: new Date(device.firstSeenAt).toISOString(),
    rootObject: device.rootObject,
    cwmpNamespace: device.cwmpNamespace,
    connectionRequestUrl: device.connectionRequestUrl,
    // Only whose credentials: the values are secrets and never leave the gateway.
    connectionRequestCredentials: device.connectionRequestAuth !== undefined ? "device" : "gateway-default",
    softwareVersion: device.softwareVersion,
    pendingRequests: pending.map((p) => ({
      msgId: p.msgId,
      type: p.request.type,
      controllerId: p.controllerId,
      ageSeconds: Math.max(0, (now - p.receivedAt) / 1000),
      deadline: new Date(p.deadline).toISOString(),
    })),
    subscriptions,
  };
}
