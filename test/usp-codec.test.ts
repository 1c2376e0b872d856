import t from "tap";
import { decodeMsg, decodeRecord } from "../src/usp/decode.js";
import { encodeMsg, encodeRecord, mqttConnectRecord, noSessionRecord } from "../src/usp/encode.js";
import type { Body, Msg, MsgType, Request, Response, UspRecord } from "../src/usp/messages.js";

// Hex helpers. Structural bytes (tags, lengths, fixed32 values) are written
// out by hand below; only ASCII text is hex-encoded by `a`.
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const a = (s: string): string => Buffer.from(s, "ascii").toString("hex");
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

const msg = (msgId: string, msgType: MsgType, body: Body): Msg => ({ header: { msgId, msgType }, body });
const req = (msgId: string, msgType: MsgType, request: Request): Msg => msg(msgId, msgType, { kind: "request", request });
const resp = (msgId: string, msgType: MsgType, response: Response): Msg => msg(msgId, msgType, { kind: "response", response });

const SW = "Device.DeviceInfo.SoftwareVersion"; // 33 bytes
const GET_MSG = req("get-1", "GET", { type: "get", get: { paramPaths: [SW], maxDepth: 2 } });

// Wire format reminders: tag = (field << 3) | wiretype; wiretype 0 varint,
// 2 length-delimited, 5 fixed32 (4 bytes little-endian). proto3 omits fields
// holding their default value.
const GET_MSG_HEX =
  "0a09" + //                  Msg.header (1, LEN) length 9
  "0a05" + a("get-1") + //     Header.msg_id (1, LEN) "get-1" (5)
  "1001" + //                  Header.msg_type (2, VARINT) GET = 1
  "122c" + //                  Msg.body (2, LEN) length 44
  "0a2a" + //                  Body.request (1, LEN) length 42
  "0a28" + //                  Request.get (1, LEN) length 40 = 2+33+5
  "0a21" + a(SW) + //          Get.param_paths (1, LEN) 33 bytes
  "1502000000"; //             Get.max_depth (2, I32) fixed32 2, little-endian

t.test("Get Msg encodes byte-exactly", async (t) => {
  t.equal(hex(encodeMsg(GET_MSG)), GET_MSG_HEX);
  t.strictSame(decodeMsg(bytes(GET_MSG_HEX)), { ok: true, msg: GET_MSG });
});

t.test("NoSessionContext Record encodes byte-exactly (payload is field 2)", async (t) => {
  const record: UspRecord = {
    version: "1.4",
    toId: "os::012345-SN1",
    fromId: "proto::controller-1",
    payloadSecurity: "PLAINTEXT",
    recordType: { type: "noSessionContext", payload: bytes(GET_MSG_HEX) },
  };
  const expected =
    "0a03" + a("1.4") + //                     Record.version (1, LEN) 3
    "120e" + a("os::012345-SN1") + //          Record.to_id (2, LEN) 14
    "1a13" + a("proto::controller-1") + //     Record.from_id (3, LEN) 19
    //                                         payload_security PLAINTEXT = 0: omitted
    "3a3b" + //                                Record.no_session_context (7, LEN) 59 = 2+57
    "1239" + //                                NoSessionContextRecord.payload (2, LEN) 57
    GET_MSG_HEX;
  t.equal(GET_MSG_HEX.length / 2, 57);
  t.equal(hex(encodeRecord(record)), expected);
  t.equal(hex(noSessionRecord({ toId: record.toId, fromId: record.fromId, msg: GET_MSG })), expected);
  t.strictSame(decodeRecord(bytes(expected)), { ok: true, record });
});

t.test("MQTTConnect Record encodes byte-exactly", async (t) => {
  const topic = "usp/agent/os::012345-SN1"; // 10 + 14 = 24 bytes
  const head =
    "0a03" + a("1.4") + //                     Record.version
    "1213" + a("proto::controller-1") + //     Record.to_id (2, LEN) 19
    "1a0e" + a("os::012345-SN1"); //           Record.from_id (3, LEN) 14
  const v5 =
    head +
    "521c" + //                                Record.mqtt_connect (10, LEN) 28
    "0801" + //                                MQTTConnectRecord.version (1, VARINT) V5 = 1
    "1218" + a(topic); //                      MQTTConnectRecord.subscribed_topic (2, LEN) 24
  const v311 =
    head +
    "521a" + //                                Record.mqtt_connect (10, LEN) 26
    //                                         version V3_1_1 = 0: omitted
    "1218" + a(topic);
  const args = { toId: "proto::controller-1", fromId: "os::012345-SN1", subscribedTopic: topic };
  t.equal(hex(mqttConnectRecord({ ...args, version: "V5" })), v5);
  t.equal(hex(mqttConnectRecord({ ...args, version: "V3_1_1" })), v311);
  const decoded = decodeRecord(bytes(v311));
  t.strictSame(decoded, {
    ok: true,
    record: {
      version: "1.4",
      toId: args.toId,
      fromId: args.fromId,
      payloadSecurity: "PLAINTEXT",
      recordType: { type: "mqttConnect", version: "V3_1_1", subscribedTopic: topic },
    },
  });
});

t.test("GetResp Msg encodes byte-exactly (map entries are key=1, value=2)", async (t) => {
  const m = resp("get-1", "GET_RESP", {
    type: "getResp",
    getResp: {
      reqPathResults: [
        {
          requestedPath: SW,
          errCode: 0,
          errMsg: "",
          resolvedPathResults: [{ resolvedPath: "Device.DeviceInfo.", resultParams: { SoftwareVersion: "1.2.3" } }],
        },
      ],
    },
  });
  const expected =
    "0a09" + "0a05" + a("get-1") + "1002" + //  Header, msg_type GET_RESP = 2
    "1259" + //                                 Msg.body (2, LEN) 89
    "1257" + //                                 Body.response (2, LEN) 87
    "0a55" + //                                 Response.get_resp (1, LEN) 85
    "0a53" + //                                 GetResp.req_path_results (1, LEN) 83 = 2+33+2+46
    "0a21" + a(SW) + //                         RequestedPathResult.requested_path (1, LEN) 33
    //                                          err_code 0 and err_msg "": omitted
    "222e" + //                                 .resolved_path_results (4, LEN) 46 = 2+18+2+24
    "0a12" + a("Device.DeviceInfo.") + //       ResolvedPathResult.resolved_path (1, LEN) 18
    "1218" + //                                 .result_params entry (2, LEN) 24 = 2+15+2+5
    "0a0f" + a("SoftwareVersion") + //          entry key (1, LEN) 15
    "1205" + a("1.2.3"); //                     entry value (2, LEN) 5
  t.equal(hex(encodeMsg(m)), expected);
  t.strictSame(decodeMsg(bytes(expected)), { ok: true, msg: m });
});

t.test("Error Msg with param_errs encodes byte-exactly (fixed32 little-endian)", async (t) => {
  const m = msg("set-7", "ERROR", {
    kind: "error",
    error: {
      errCode: 7004,
      errMsg: "Invalid arguments",
      paramErrs: [{ paramPath: "Device.Time.NTPServer1", errCode: 7012, errMsg: "Invalid value" }],
    },
  });
  const expected =
    "0a07" + "0a05" + a("set-7") + //           Header; msg_type ERROR = 0 is omitted
    "1248" + //                                 Msg.body (2, LEN) 72
    "1a46" + //                                 Body.error (3, LEN) 70 = 5+19+46
    "0d5c1b0000" + //                           Error.err_code (1, I32) 7004 = 0x00001b5c LE
    "1211" + a("Invalid arguments") + //        Error.err_msg (2, LEN) 17
    "1a2c" + //                                 Error.param_errs (3, LEN) 44 = 2+22+5+2+13
    "0a16" + a("Device.Time.NTPServer1") + //   ParamError.param_path (1, LEN) 22
    "15641b0000" + //                           ParamError.err_code (2, I32) 7012 = 0x00001b64 LE
    "1a0d" + a("Invalid value"); //             ParamError.err_msg (3, LEN) 13
  t.equal(hex(encodeMsg(m)), expected);
  t.strictSame(decodeMsg(bytes(expected)), { ok: true, msg: m });
});

// ---- round trips --------------------------------------------------------

const requests: Msg[] = [
  GET_MSG,
  req("gsdm", "GET_SUPPORTED_DM", {
    type: "getSupportedDm",
    getSupportedDm: {
      objPaths: ["Device.WiFi.", "Device.IP.Interface.{i}."],
      firstLevelOnly: true,
      returnCommands: true,
      returnEvents: false,
      returnParams: true,
      returnUniqueKeySets: true,
    },
  }),
  req("gi", "GET_INSTANCES", { type: "getInstances", getInstances: { objPaths: ["Device.IP.Interface."], firstLevelOnly: true } }),
  req("set", "SET", {
    type: "set",
    set: {
      allowPartial: true,
      updateObjs: [
        {
          objPath: "Device.WiFi.SSID.1.",
          paramSettings: [
            { param: "SSID", value: "home", required: true },
            { param: "Enable", value: "0", required: false },
          ],
        },
      ],
    },
  }),
  req("add", "ADD", {
    type: "add",
    add: {
      allowPartial: false,
      createObjs: [{ objPath: "Device.NAT.PortMapping.", paramSettings: [{ param: "ExternalPort", value: "8080", required: true }] }],
    },
  }),
  req("del", "DELETE", { type: "delete", delete: { allowPartial: true, objPaths: ["Device.NAT.PortMapping.3."] } }),
  req("op", "OPERATE", {
    type: "operate",
    operate: { command: "Device.IP.Diagnostics.IPPing()", commandKey: "k1", sendResp: true, inputArgs: { Host: "8.8.8.8", NumberOfRepetitions: "3" } },
  }),
  req("gsp", "GET_SUPPORTED_PROTO", {
    type: "getSupportedProtocol",
    getSupportedProtocol: { controllerSupportedProtocolVersions: "1.3,1.4" },
  }),
  req("reg", "REGISTER", { type: "register", register: { allowPartial: true, regPaths: [{ path: "Device.X_Vendor." }] } }),
  req("dereg", "DEREGISTER", { type: "deregister", deregister: { paths: ["Device.X_Vendor.", ""] } }),
];

const notify = (n: Extract<Request, { type: "notify" }>["notify"]["notification"]): Msg =>
  req(`notify-${n.type}`, "NOTIFY", { type: "notify", notify: { subscriptionId: "sub-1", sendResp: true, notification: n } });

const notifications: Msg[] = [
  notify({ type: "event", event: { objPath: "Device.", eventName: "Boot!", params: { Cause: "LocalReboot", FirmwareUpdated: "false" } } }),
  notify({ type: "valueChange", valueChange: { paramPath: "Device.WiFi.SSID.1.SSID", paramValue: "" } }),
  notify({ type: "objCreation", objCreation: { objPath: "Device.NAT.PortMapping.4.", uniqueKeys: { Alias: "cpe-4" } } }),
  notify({ type: "objDeletion", objDeletion: { objPath: "Device.NAT.PortMapping.4." } }),
  notify({
    type: "operComplete",
    operComplete: { objPath: "Device.", commandName: "Reboot()", commandKey: "r1", result: { type: "reqOutputArgs", outputArgs: {} } },
  }),
  notify({
    type: "operComplete",
    operComplete: { objPath: "Device.", commandName: "Reboot()", commandKey: "r2", result: { type: "cmdFailure", errCode: 7022, errMsg: "boom" } },
  }),
  notify({
    type: "onBoardReq",
    onBoardReq: { oui: "00D09E", productClass: "HGW", serialNumber: "SN1", agentSupportedProtocolVersions: "1.4" },
  }),
];

const failure = { type: "operFailure" as const, errCode: 7015, errMsg: "nope" };

const responses: Msg[] = [
  resp("r-get", "GET_RESP", {
    type: "getResp",
    getResp: {
      reqPathResults: [
        { requestedPath: "Device.IP.Interface.99.", errCode: 7026, errMsg: "Invalid path", resolvedPathResults: [] },
        { requestedPath: "Device.Time.", errCode: 0, errMsg: "", resolvedPathResults: [{ resolvedPath: "Device.Time.", resultParams: {} }] },
      ],
    },
  }),
  resp("r-gsdm", "GET_SUPPORTED_DM_RESP", {
    type: "getSupportedDmResp",
    getSupportedDmResp: {
      reqObjResults: [
        {
          reqObjPath: "Device.IP.",
          errCode: 0,
          errMsg: "",
          dataModelInstUri: "urn:broadband-forum-org:tr-181-2-19-0-usp",
          supportedObjs: [
            {
              supportedObjPath: "Device.IP.Interface.{i}.",
              access: "OBJ_ADD_DELETE",
              isMultiInstance: true,
              supportedCommands: [{ commandName: "Reset()", inputArgNames: [], outputArgNames: ["Status"], commandType: "CMD_ASYNC" }],
              supportedEvents: [{ eventName: "Changed!", argNames: ["Why"] }],
              supportedParams: [
                { paramName: "Enable", access: "PARAM_READ_WRITE", valueType: "PARAM_BOOLEAN", valueChange: "VALUE_CHANGE_ALLOWED" },
                { paramName: "Name", access: "PARAM_READ_ONLY", valueType: "PARAM_UNKNOWN", valueChange: "VALUE_CHANGE_UNKNOWN" },
                { paramName: "Key", access: "PARAM_WRITE_ONLY", valueType: "PARAM_UNSIGNED_LONG", valueChange: "VALUE_CHANGE_WILL_IGNORE" },
              ],
              divergentPaths: ["Device.IP.Interface.1."],
              uniqueKeySets: [{ keyNames: ["Name"] }, { keyNames: ["Alias"] }],
            },
          ],
        },
      ],
    },
  }),
  resp("r-gi", "GET_INSTANCES_RESP", {
    type: "getInstancesResp",
    getInstancesResp: {
      reqPathResults: [
        {
          requestedPath: "Device.IP.Interface.",
          errCode: 0,
          errMsg: "",
          currInsts: [{ instantiatedObjPath: "Device.IP.Interface.1.", uniqueKeys: { Name: "eth0", Alias: "cpe-1" } }],
        },
      ],
    },
  }),
  resp("r-set", "SET_RESP", {
    type: "setResp",
    setResp: {
      updatedObjResults: [
        {
          requestedPath: "Device.WiFi.SSID.1.",
          operStatus: {
            type: "operSuccess",
            updatedInstResults: [
              { affectedPath: "Device.WiFi.SSID.1.", paramErrs: [{ param: "X", errCode: 7010, errMsg: "" }], updatedParams: { SSID: "home" } },
            ],
          },
        },
        {
          requestedPath: "Device.WiFi.SSID.2.",
          operStatus: {
            ...failure,
            updatedInstFailures: [{ affectedPath: "Device.WiFi.SSID.2.", paramErrs: [{ param: "SSID", errCode: 7013, errMsg: "ro" }] }],
          },
        },
      ],
    },
  }),
  resp("r-add", "ADD_RESP", {
    type: "addResp",
    addResp: {
      createdObjResults: [
        {
          requestedPath: "Device.NAT.PortMapping.",
          operStatus: { type: "operSuccess", instantiatedPath: "Device.NAT.PortMapping.5.", paramErrs: [], uniqueKeys: { Alias: "cpe-5" } },
        },
        { requestedPath: "Device.Bogus.", operStatus: failure },
      ],
    },
  }),
  resp("r-del", "DELETE_RESP", {
    type: "deleteResp",
    deleteResp: {
      deletedObjResults: [
        {
          requestedPath: "Device.NAT.PortMapping.*.",
          operStatus: {
            type: "operSuccess",
            affectedPaths: ["Device.NAT.PortMapping.1."],
            unaffectedPathErrs: [{ unaffectedPath: "Device.NAT.PortMapping.2.", errCode: 7024, errMsg: "busy" }],
          },
        },
        // R-DEL.2a: success with nothing affected is an empty oper_success.
        { requestedPath: "Device.NAT.PortMapping.[Alias==\"x\"].", operStatus: { type: "operSuccess", affectedPaths: [], unaffectedPathErrs: [] } },
        { requestedPath: "Device.Bogus.", operStatus: failure },
      ],
    },
  }),
  resp("r-op", "OPERATE_RESP", {
    type: "operateResp",
    operateResp: {
      operationResults: [
        { executedCommand: "Device.Reboot()", result: { type: "reqOutputArgs", outputArgs: { Status: "ok" } } },
        { executedCommand: "Device.IP.Diagnostics.IPPing()", result: { type: "reqObjPath", reqObjPath: "Device.LocalAgent.Request.1." } },
        // A oneof member holding its default value must still be written.
        { executedCommand: "Device.X()", result: { type: "reqObjPath", reqObjPath: "" } },
        { executedCommand: "Device.Y()", result: { type: "cmdFailure", errCode: 7027, errMsg: "missing arg" } },
      ],
    },
  }),
  resp("r-notify", "NOTIFY_RESP", { type: "notifyResp", notifyResp: { subscriptionId: "sub-1" } }),
  resp("r-gsp", "GET_SUPPORTED_PROTO_RESP", {
    type: "getSupportedProtocolResp",
    getSupportedProtocolResp: { agentSupportedProtocolVersions: "1.0,1.1,1.2,1.3,1.4" },
  }),
  resp("r-reg", "REGISTER_RESP", {
    type: "registerResp",
    registerResp: {
      registeredPathResults: [
        { requestedPath: "Device.X_Vendor.", operStatus: { type: "operSuccess", registeredPath: "Device.X_Vendor." } },
        { requestedPath: "Device.Y.", operStatus: { type: "operFailure", errCode: 7029, errMsg: "in use" } },
      ],
    },
  }),
  resp("r-dereg", "DEREGISTER_RESP", {
    type: "deregisterResp",
    deregisterResp: {
      deregisteredPathResults: [
        { requestedPath: "", operStatus: { type: "operSuccess", deregisteredPath: ["Device.X_Vendor.", "Device.Z."] } },
        { requestedPath: "Device.Y.", operStatus: { type: "operFailure", errCode: 7030, errMsg: "" } },
      ],
    },
  }),
];

t.test("every request, notification and response type round-trips", async (t) => {
  for (const m of [...requests, ...notifications, ...responses]) {
    t.strictSame(decodeMsg(encodeMsg(m)), { ok: true, msg: m }, m.header.msgId);
  }
  const requestTypes = new Set(requests.concat(notifications).map((m) => (m.body.kind === "request" ? m.body.request.type : "")));
  const responseTypes = new Set(responses.map((m) => (m.body.kind === "response" ? m.body.response.type : "")));
  t.equal(requestTypes.size, 11, "all 11 request types covered");
  t.equal(responseTypes.size, 11, "all 11 response types covered");
});

t.test("every record type round-trips", async (t) => {
  const base = { version: "1.4", toId: "proto::c", fromId: "os::a", payloadSecurity: "TLS12" as const };
  const types: UspRecord["recordType"][] = [
    { type: "noSessionContext", payload: new Uint8Array() },
    // uint64 fields travel as decimal strings, including values above 2^53.
    { type: "sessionContext", sessionId: "18446744073709551615", sequenceId: "1", expectedId: "0", payloads: [bytes("0102"), new Uint8Array()] },
    { type: "websocketConnect" },
    { type: "mqttConnect", version: "V5", subscribedTopic: "t" },
    { type: "stompConnect", version: "V1_2", subscribedDestination: "/queue/a" },
    { type: "disconnect", reason: "bye", reasonCode: 7105 },
    { type: "udsConnect" },
  ];
  for (const recordType of types) {
    const record: UspRecord = { ...base, recordType };
    t.strictSame(decodeRecord(encodeRecord(record)), { ok: true, record }, recordType.type);
  }
  t.equal(hex(encodeRecord({ ...base, recordType: { type: "websocketConnect" } })).slice(-4), "4a00", "empty message still written");
});

t.test("R-MSG.10 msg_type conflicting with the body: the body wins", async (t) => {
  const wrong = { ...GET_MSG, header: { msgId: "get-1", msgType: "NOTIFY_RESP" as const } };
  t.strictSame(decodeMsg(encodeMsg(wrong)), { ok: true, msg: GET_MSG });
});

// ---- rejection ----------------------------------------------------------

const RECORD_HEAD = "0a03" + a("1.4") + "1201" + a("a") + "1a01" + a("b");

t.test("R-ENC.3 a Record without record_type is rejected", async (t) => {
  const r = decodeRecord(bytes(RECORD_HEAD));
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.error, /record_type/);
});

t.test("R-ENC.3 a Record with two record_types is rejected", async (t) => {
  // no_session_context (7) with empty payload, then websocket_connect (9).
  const r = decodeRecord(bytes(RECORD_HEAD + "3a00" + "4a00"));
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.error, /more than one/);
});

t.test("R-ENC.2 an unknown enum value in a Record is rejected", async (t) => {
  // mqtt_connect { version = 7 }
  t.equal(decodeRecord(bytes(RECORD_HEAD + "5202" + "0807")).ok, false);
  // payload_security = 9
  t.equal(decodeRecord(bytes(RECORD_HEAD + "2009" + "4a00")).ok, false);
});

t.test("bad input never throws and yields ok:false", async (t) => {
  const good = encodeRecord({
    version: "1.4",
    toId: "a",
    fromId: "b",
    payloadSecurity: "PLAINTEXT",
    recordType: { type: "noSessionContext", payload: bytes(GET_MSG_HEX) },
  });
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array()],
    ["garbage", bytes("ffffffffffffffffffff")],
    ["truncated record", good.subarray(0, good.length - 5)],
    ["truncated varint", bytes("0a")],
    ["bad wire type", bytes("0f")],
    ["deep group nesting", new Uint8Array(100_000).fill(0x0b)],
  ];
  for (const [name, input] of cases) {
    t.doesNotThrow(() => decodeRecord(input), name);
    t.equal(decodeRecord(input).ok, false, `record: ${name}`);
    t.equal(decodeMsg(input).ok, false, `msg: ${name}`);
  }
  t.equal(decodeRecord(good).ok, true, "the untruncated record decodes");
});

t.test("oversized input is rejected before parsing", async (t) => {
  const r = decodeRecord(new Uint8Array(5 * 1024 * 1024));
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.error, /exceeds/);
  const small = decodeRecord(bytes(RECORD_HEAD + "3a00"), { maxBytes: 4 });
  t.equal(small.ok, false);
  t.equal(decodeRecord(bytes(RECORD_HEAD + "3a00")).ok, true);
});

t.test("R-ENC.5 a Msg without a body oneof keeps its msg_id for the Error reply", async (t) => {
  const header = "0a09" + "0a05" + a("get-1") + "1001";
  const noBody = decodeMsg(bytes(header));
  t.strictSame(noBody, { ok: false, error: noBody.ok ? "" : noBody.error, msgId: "get-1" });
  const emptyBody = decodeMsg(bytes(header + "1200"));
  t.equal(emptyBody.ok, false);
  if (!emptyBody.ok) t.equal(emptyBody.msgId, "get-1");
  // body.request present but no req_type set
  const emptyRequest = decodeMsg(bytes(header + "1202" + "0a00"));
  t.equal(emptyRequest.ok, false);
  if (!emptyRequest.ok) {
    t.equal(emptyRequest.msgId, "get-1");
    t.match(emptyRequest.error, /req_type/);
  }
  // an Add response whose oper_status has neither member
  const addNoStatus = "1206" + "1204" + "2a02" + "0a00"; // body.response.add_resp.created_obj_results{}
  const r = decodeMsg(bytes(header + addNoStatus));
  t.equal(r.ok, false);
  if (!r.ok) t.equal(r.msgId, "get-1");
});

t.test("R-MTP.5 the msg_id is recovered from a Msg whose body is truncated", async (t) => {
  const truncated = bytes(GET_MSG_HEX).subarray(0, 30);
  const r = decodeMsg(truncated);
  t.equal(r.ok, false);
  if (!r.ok) t.equal(r.msgId, "get-1");
  const noHeader = decodeMsg(bytes("1200"));
  t.equal(noHeader.ok, false);
  if (!noHeader.ok) t.equal(noHeader.msgId, undefined);
});

t.test("absent fields decode as proto3 defaults", async (t) => {
  // Msg{header{msg_id "x"}, body{request{get{}}}}
  const r = decodeMsg(bytes("0a03" + "0a01" + a("x") + "1204" + "0a02" + "0a00"));
  t.strictSame(r, {
    ok: true,
    msg: { header: { msgId: "x", msgType: "GET" }, body: { kind: "request", request: { type: "get", get: { paramPaths: [], maxDepth: 0 } } } },
  });
});
