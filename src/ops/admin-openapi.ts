// The admin API's JSON schemas and its OpenAPI 3 document. The routes in
// admin-api.ts use these very schemas (fastify compiles them when the routes
// are registered), so the published document cannot drift from what the
// server validates and serialises.

const errorBody = {
  type: "object",
  required: ["statusCode", "error", "message"],
  properties: {
    statusCode: { type: "integer" },
    error: { type: "string" },
    message: { type: "string" },
  },
} as const;

const endpointIdParams = {
  type: "object",
  required: ["endpointId"],
  properties: {
    endpointId: { type: "string", minLength: 1, maxLength: 256, description: "The virtual agent's USP Endpoint ID, e.g. os::00256D-0123456789 (percent-encode the colons if your client needs to)" },
  },
} as const;

const listQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    query: { type: "string", maxLength: 256, description: "Case-insensitive substring of the endpoint id, serial number, OUI or product class" },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
    offset: { type: "integer", minimum: 0, default: 0 },
  },
} as const;

const deviceSummary = {
  type: "object",
  required: ["endpointId", "oui", "serialNumber", "productClass", "manufacturer", "online", "lastInformAt", "rootObject"],
  properties: {
    endpointId: { type: "string" },
    oui: { type: "string" },
    serialNumber: { type: "string" },
    productClass: { type: "string" },
    manufacturer: { type: "string" },
    online: { type: "boolean", description: "A CWMP session with the CPE is open right now" },
    lastInformAt: { type: "string", format: "date-time" },
    rootObject: { type: "string", description: '"Device." (TR-181) or "InternetGatewayDevice." (TR-098)' },
  },
} as const;

const deviceList = {
  type: "object",
  required: ["total", "limit", "offset", "devices"],
  properties: {
    total: { type: "integer", description: "Devices matching the query, before paging" },
    limit: { type: "integer" },
    offset: { type: "integer" },
    devices: { type: "array", items: deviceSummary },
  },
} as const;

const pendingRequest = {
  type: "object",
  required: ["msgId", "type", "controllerId", "ageSeconds", "deadline"],
  properties: {
    msgId: { type: "string" },
    type: { type: "string", description: "USP request type (get, set, add, …)" },
    controllerId: { type: "string" },
    ageSeconds: { type: "number" },
    deadline: { type: "string", format: "date-time", description: "When the request is answered with a timeout error if the CPE has not come" },
  },
} as const;

const deviceDetail = {
  type: "object",
  required: [
    "endpointId", "known", "online", "deviceId", "lastInformAt", "firstSeenAt", "rootObject", "cwmpNamespace",
    "connectionRequestUrl", "connectionRequestCredentials", "softwareVersion", "pendingRequests", "subscriptions",
  ],
  properties: {
    endpointId: { type: "string" },
    known: { type: "boolean", description: "Always true here: unknown devices get 404" },
    online: { type: "boolean", description: "A CWMP session with the CPE is open right now" },
    deviceId: {
      type: "object",
      required: ["manufacturer", "oui", "productClass", "serialNumber"],
      properties: { manufacturer: { type: "string" }, oui: { type: "string" }, productClass: { type: "string" }, serialNumber: { type: "string" } },
    },
    lastInformAt: { type: "string", format: "date-time" },
    firstSeenAt: { type: "string", format: "date-time" },
    rootObject: { type: "string" },
    cwmpNamespace: { type: "string" },
    connectionRequestUrl: { type: "string" },
    connectionRequestCredentials: { type: "string", enum: ["device", "gateway-default"], description: "Whose credentials a Connection Request uses (the values are never returned)" },
    softwareVersion: { type: "string" },
    pendingRequests: { type: "array", items: pendingRequest },
    subscriptions: {
      type: "array",
      description: "The agent's Device.LocalAgent.Subscription. rows, as controllers created them",
      items: {
        type: "object",
        required: ["path", "params"],
        properties: {
          path: { type: "string", description: "e.g. Device.LocalAgent.Subscription.1." },
          params: { type: "object", additionalProperties: { type: "string" }, description: "ID, Enable, Recipient, NotifType, ReferenceList, Persistent, …" },
        },
      },
    },
  },
} as const;

const connectionRequestResult = {
  type: "object",
  required: ["endpointId", "outcome"],
  properties: {
    endpointId: { type: "string" },
    outcome: {
      type: "object",
      required: ["ok"],
      description: "ok true with the CPE's HTTP status, or ok false with a reason (invalid-url, unreachable, timeout, auth-failed, busy, bad-status) and detail",
      properties: {
        ok: { type: "boolean" },
        status: { type: "integer" },
        reason: { type: "string", enum: ["invalid-url", "unreachable", "timeout", "auth-failed", "busy", "bad-status"] },
        detail: { type: "string" },
      },
    },
  },
} as const;

const forgetResult = {
  type: "object",
  required: ["endpointId", "forgotten", "answeredRequests"],
  properties: {
    endpointId: { type: "string" },
    forgotten: { type: "boolean" },
    answeredRequests: { type: "integer", description: "Queued USP requests answered with USP Error 7002 because their device was forgotten" },
  },
} as const;

/** Route schemas, shared by the routes and the OpenAPI document. */
export const ADMIN_SCHEMAS = {
  errorBody,
  endpointIdParams,
  listQuery,
  deviceList,
  deviceDetail,
  connectionRequestResult,
  forgetResult,
} as const;

type Schema = Record<string, unknown>;

function jsonResponse(description: string, schema: Schema): Schema {
  return { description, content: { "application/json": { schema } } };
}

const UNAUTHORIZED = jsonResponse("Missing or wrong bearer token", errorBody);
const NOT_FOUND = jsonResponse("No device with that endpoint id", errorBody);
const PATH_PARAM = { name: "endpointId", in: "path", required: true, schema: endpointIdParams.properties.endpointId };

function queryParameters(): Schema[] {
  return Object.entries(listQuery.properties).map(([name, schema]) => {
    const { description, ...rest } = schema as Schema & { description?: string };
    return { name, in: "query", required: false, schema: rest, ...(description !== undefined ? { description } : {}) };
  });
}

/** The OpenAPI 3.0 document served at /admin/openapi.json. */
export function adminOpenApiDocument(version: string): Schema {
  return {
    openapi: "3.0.3",
    info: {
      title: "cwmp2usp admin API",
      version,
      description: "Operate the gateway's device registry. Every route except this document needs `Authorization: Bearer <ops.adminToken>`; without a configured token the admin API is disabled (404).",
    },
    components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    security: [{ bearerAuth: [] }],
    paths: {
      "/admin/openapi.json": {
        get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3 document" } } },
      },
      "/admin/devices": {
        get: {
          summary: "List and search devices",
          parameters: queryParameters(),
          responses: { "200": jsonResponse("A page of devices, ordered by endpoint id", deviceList), "400": jsonResponse("Bad query", errorBody), "401": UNAUTHORIZED },
        },
      },
      "/admin/devices/{endpointId}": {
        get: {
          summary: "One device's state",
          parameters: [PATH_PARAM],
          responses: { "200": jsonResponse("The device", deviceDetail), "401": UNAUTHORIZED, "404": NOT_FOUND },
        },
        delete: {
          summary: "Forget a device: its record, queued requests (each answered with USP Error 7002) and cached data model",
          parameters: [PATH_PARAM],
          responses: { "200": jsonResponse("Forgotten", forgetResult), "401": UNAUTHORIZED, "404": NOT_FOUND },
        },
      },
      "/admin/devices/{endpointId}/connection-request": {
        post: {
          summary: "Send the CPE a Connection Request now",
          parameters: [PATH_PARAM],
          responses: { "200": jsonResponse("The Connection Request's outcome (ok or not)", connectionRequestResult), "401": UNAUTHORIZED, "404": NOT_FOUND },
        },
      },
    },
  };
}
