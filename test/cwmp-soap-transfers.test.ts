// SOAP codec for parameter attributes, file transfers and software modules
// (TR-069 A.3.2.4-A.3.2.10, A.3.3.3-A.3.3.7, A.4.1): byte-exact encoding,
// round trips, and decoding of CPE output with its quirks.
import t, { type Test } from "tap";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import { isTransferBody, type CwmpBody, type CwmpEnvelope, type OpResultStruct } from "../src/cwmp/rpc.js";

const PRELUDE =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ' +
  'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">' +
  '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">7</cwmp:ID></soap-env:Header><soap-env:Body>';
const POSTLUDE = "</soap-env:Body></soap-env:Envelope>";

function env(body: CwmpBody): CwmpEnvelope {
  return { cwmpNamespace: "urn:dslforum-org:cwmp-1-2", header: { id: "7" }, body };
}

/** A CPE-written envelope around `body` with other prefixes than ours. */
function cpeSoap(body: string): string {
  return (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2">' +
    `<SOAP-ENV:Header><cwmp:ID SOAP-ENV:mustUnderstand="1">c1</cwmp:ID></SOAP-ENV:Header><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

function decoded(t: Test, xml: string): { body: CwmpBody; warnings: string[] } {
  const result = decodeEnvelope(xml);
  if (!result.ok) throw new Error(result.error);
  return { body: result.envelope.body, warnings: result.warnings };
}

const UNKNOWN = "0001-01-01T00:00:00Z";
const UUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
const OK = { faultCode: 0, faultString: "" };
const RESULT: OpResultStruct = {
  uuid: UUID,
  deploymentUnitRef: "Device.SoftwareModules.DeploymentUnit.1",
  version: "1.0",
  currentState: "Installed",
  resolved: true,
  executionUnitRefList: "Device.SoftwareModules.ExecutionUnit.1",
  startTime: "2026-11-24T10:00:00Z",
  completeTime: "2026-11-24T10:00:02Z",
  fault: OK,
};
const RESULT_XML =
  `<UUID>${UUID}</UUID><DeploymentUnitRef>Device.SoftwareModules.DeploymentUnit.1</DeploymentUnitRef><Version>1.0</Version>` +
  "<CurrentState>Installed</CurrentState><Resolved>1</Resolved><ExecutionUnitRefList>Device.SoftwareModules.ExecutionUnit.1</ExecutionUnitRefList>" +
  "<StartTime>2026-11-24T10:00:00Z</StartTime><CompleteTime>2026-11-24T10:00:02Z</CompleteTime>" +
  "<Fault><FaultCode>0</FaultCode><FaultString></FaultString></Fault>";

/** Every new body with its exact wire form. */
const FIXTURES: Array<[CwmpBody, string]> = [
  [
    {
      method: "SetParameterAttributes",
      parameterList: [
        { name: "Device.DeviceInfo.SoftwareVersion", notificationChange: true, notification: 2, accessListChange: false, accessList: [] },
        { name: "Device.WiFi.SSID.", notificationChange: false, notification: 0, accessListChange: true, accessList: ["Subscriber"] },
      ],
    },
    // cwmp.md §1.4 (GenieACS), two structs.
    '<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[2]"><SetParameterAttributesStruct>' +
      "<Name>Device.DeviceInfo.SoftwareVersion</Name><NotificationChange>true</NotificationChange><Notification>2</Notification>" +
      '<AccessListChange>false</AccessListChange><AccessList soap-enc:arrayType="xsd:string[0]"></AccessList></SetParameterAttributesStruct>' +
      "<SetParameterAttributesStruct><Name>Device.WiFi.SSID.</Name><NotificationChange>false</NotificationChange><Notification>0</Notification>" +
      '<AccessListChange>true</AccessListChange><AccessList soap-enc:arrayType="xsd:string[1]"><string>Subscriber</string></AccessList>' +
      "</SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>",
  ],
  [{ method: "SetParameterAttributesResponse" }, "<cwmp:SetParameterAttributesResponse></cwmp:SetParameterAttributesResponse>"],
  [
    { method: "GetParameterAttributes", parameterNames: ["Device.DeviceInfo.SoftwareVersion"] },
    '<cwmp:GetParameterAttributes><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.DeviceInfo.SoftwareVersion</string>' +
      "</ParameterNames></cwmp:GetParameterAttributes>",
  ],
  [
    {
      method: "GetParameterAttributesResponse",
      parameterList: [
        { name: "Device.DeviceInfo.SoftwareVersion", notification: 2, accessList: [] },
        { name: "Device.WiFi.SSID.1.SSID", notification: 1, accessList: ["Subscriber"] },
      ],
    },
    '<cwmp:GetParameterAttributesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterAttributeStruct[2]"><ParameterAttributeStruct>' +
      '<Name>Device.DeviceInfo.SoftwareVersion</Name><Notification>2</Notification><AccessList soap-enc:arrayType="xsd:string[0]"></AccessList>' +
      "</ParameterAttributeStruct><ParameterAttributeStruct><Name>Device.WiFi.SSID.1.SSID</Name><Notification>1</Notification>" +
      '<AccessList soap-enc:arrayType="xsd:string[1]"><string>Subscriber</string></AccessList></ParameterAttributeStruct></ParameterList>' +
      "</cwmp:GetParameterAttributesResponse>",
  ],
  [
    {
      method: "Download",
      commandKey: "18c0a1b2c3d0001",
      fileType: "1 Firmware Upgrade Image",
      url: "http://acs:7567/fw.bin",
      username: "",
      password: "",
      fileSize: 1685334,
      targetFileName: "",
      delaySeconds: 0,
      successUrl: "",
      failureUrl: "",
    },
    // cwmp.md §1.4, verbatim.
    "<cwmp:Download><CommandKey>18c0a1b2c3d0001</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://acs:7567/fw.bin</URL>" +
      "<Username></Username><Password></Password><FileSize>1685334</FileSize><TargetFileName></TargetFileName><DelaySeconds>0</DelaySeconds>" +
      "<SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>",
  ],
  [
    { method: "DownloadResponse", status: 1, startTime: UNKNOWN, completeTime: UNKNOWN },
    `<cwmp:DownloadResponse><Status>1</Status><StartTime>${UNKNOWN}</StartTime><CompleteTime>${UNKNOWN}</CompleteTime></cwmp:DownloadResponse>`,
  ],
  [
    { method: "Upload", commandKey: "up", fileType: "2 Vendor Log File", url: "http://h/up?a=1&b=2", username: "u", password: "p", delaySeconds: 5 },
    "<cwmp:Upload><CommandKey>up</CommandKey><FileType>2 Vendor Log File</FileType><URL>http://h/up?a=1&amp;b=2</URL>" +
      "<Username>u</Username><Password>p</Password><DelaySeconds>5</DelaySeconds></cwmp:Upload>",
  ],
  [
    { method: "UploadResponse", status: 0, startTime: "2026-11-24T10:00:00Z", completeTime: "2026-11-24T10:00:01Z" },
    "<cwmp:UploadResponse><Status>0</Status><StartTime>2026-11-24T10:00:00Z</StartTime><CompleteTime>2026-11-24T10:00:01Z</CompleteTime></cwmp:UploadResponse>",
  ],
  [
    {
      method: "ScheduleDownload",
      commandKey: "sd",
      fileType: "1 Firmware Upgrade Image",
      url: "http://h/fw-5.0.0.bin",
      username: "",
      password: "",
      fileSize: 0,
      targetFileName: "",
      timeWindowList: [
        { windowStart: 0, windowEnd: 600, windowMode: "2 Immediately", userMessage: "", maxRetries: 0 },
        { windowStart: 3600, windowEnd: 7200, windowMode: "1 At Any Time", userMessage: "night", maxRetries: -1 },
      ],
    },
    "<cwmp:ScheduleDownload><CommandKey>sd</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://h/fw-5.0.0.bin</URL>" +
      "<Username></Username><Password></Password><FileSize>0</FileSize><TargetFileName></TargetFileName>" +
      '<TimeWindowList soap-enc:arrayType="cwmp:TimeWindowStruct[2]"><TimeWindowStruct><WindowStart>0</WindowStart><WindowEnd>600</WindowEnd>' +
      "<WindowMode>2 Immediately</WindowMode><UserMessage></UserMessage><MaxRetries>0</MaxRetries></TimeWindowStruct>" +
      "<TimeWindowStruct><WindowStart>3600</WindowStart><WindowEnd>7200</WindowEnd><WindowMode>1 At Any Time</WindowMode>" +
      "<UserMessage>night</UserMessage><MaxRetries>-1</MaxRetries></TimeWindowStruct></TimeWindowList></cwmp:ScheduleDownload>",
  ],
  [{ method: "ScheduleDownloadResponse" }, "<cwmp:ScheduleDownloadResponse></cwmp:ScheduleDownloadResponse>"],
  [{ method: "CancelTransfer", commandKey: "dl-9" }, "<cwmp:CancelTransfer><CommandKey>dl-9</CommandKey></cwmp:CancelTransfer>"],
  [{ method: "CancelTransferResponse" }, "<cwmp:CancelTransferResponse></cwmp:CancelTransferResponse>"],
  [
    {
      method: "ChangeDUState",
      operations: [
        { type: "Install", url: "http://h/app-1.0.tar", uuid: UUID, executionEnvRef: "Device.SoftwareModules.ExecEnv.1" },
        { type: "Update", uuid: UUID, url: "http://h/app-1.1.tar" },
        { type: "Update" },
        { type: "Uninstall", uuid: UUID, version: "1.1" },
      ],
      commandKey: "du-1",
    },
    // cwmp.md §3 wire form: repeated Operations with a literal cwmp: xsi:type.
    '<cwmp:ChangeDUState><Operations xsi:type="cwmp:InstallOpStruct"><URL>http://h/app-1.0.tar</URL>' +
      `<UUID>${UUID}</UUID><ExecutionEnvRef>Device.SoftwareModules.ExecEnv.1</ExecutionEnvRef></Operations>` +
      `<Operations xsi:type="cwmp:UpdateOpStruct"><UUID>${UUID}</UUID><URL>http://h/app-1.1.tar</URL></Operations>` +
      '<Operations xsi:type="cwmp:UpdateOpStruct"></Operations>' +
      `<Operations xsi:type="cwmp:UninstallOpStruct"><UUID>${UUID}</UUID><Version>1.1</Version></Operations>` +
      "<CommandKey>du-1</CommandKey></cwmp:ChangeDUState>",
  ],
  [{ method: "ChangeDUStateResponse" }, "<cwmp:ChangeDUStateResponse></cwmp:ChangeDUStateResponse>"],
  [
    { method: "ScheduleInform", delaySeconds: 30, commandKey: "si" },
    "<cwmp:ScheduleInform><DelaySeconds>30</DelaySeconds><CommandKey>si</CommandKey></cwmp:ScheduleInform>",
  ],
  [{ method: "ScheduleInformResponse" }, "<cwmp:ScheduleInformResponse></cwmp:ScheduleInformResponse>"],
  [{ method: "GetQueuedTransfers" }, "<cwmp:GetQueuedTransfers></cwmp:GetQueuedTransfers>"],
  [
    { method: "GetQueuedTransfersResponse", transferList: [{ commandKey: "a", state: 2 }] },
    '<cwmp:GetQueuedTransfersResponse><TransferList soap-enc:arrayType="cwmp:QueuedTransferStruct[1]"><QueuedTransferStruct>' +
      "<CommandKey>a</CommandKey><State>2</State></QueuedTransferStruct></TransferList></cwmp:GetQueuedTransfersResponse>",
  ],
  [{ method: "GetAllQueuedTransfers" }, "<cwmp:GetAllQueuedTransfers></cwmp:GetAllQueuedTransfers>"],
  [
    {
      method: "GetAllQueuedTransfersResponse",
      transferList: [{ commandKey: "a", state: 1, isDownload: true, fileType: "1 Firmware Upgrade Image", fileSize: 0, targetFileName: "" }],
    },
    '<cwmp:GetAllQueuedTransfersResponse><TransferList soap-enc:arrayType="cwmp:AllQueuedTransferStruct[1]"><AllQueuedTransferStruct>' +
      "<CommandKey>a</CommandKey><State>1</State><IsDownload>1</IsDownload><FileType>1 Firmware Upgrade Image</FileType>" +
      "<FileSize>0</FileSize><TargetFileName></TargetFileName></AllQueuedTransferStruct></TransferList></cwmp:GetAllQueuedTransfersResponse>",
  ],
  [
    {
      method: "AutonomousTransferComplete",
      announceUrl: "",
      transferUrl: "http://h/cfg.xml",
      isDownload: false,
      fileType: "1 Vendor Configuration File",
      fileSize: 2048,
      targetFileName: "cfg.xml",
      faultStruct: { faultCode: 9011, faultString: "Upload failure" },
      startTime: "2026-11-24T10:00:00Z",
      completeTime: "2026-11-24T10:00:03Z",
    },
    "<cwmp:AutonomousTransferComplete><AnnounceURL></AnnounceURL><TransferURL>http://h/cfg.xml</TransferURL><IsDownload>0</IsDownload>" +
      "<FileType>1 Vendor Configuration File</FileType><FileSize>2048</FileSize><TargetFileName>cfg.xml</TargetFileName>" +
      "<FaultStruct><FaultCode>9011</FaultCode><FaultString>Upload failure</FaultString></FaultStruct>" +
      "<StartTime>2026-11-24T10:00:00Z</StartTime><CompleteTime>2026-11-24T10:00:03Z</CompleteTime></cwmp:AutonomousTransferComplete>",
  ],
  [{ method: "AutonomousTransferCompleteResponse" }, "<cwmp:AutonomousTransferCompleteResponse></cwmp:AutonomousTransferCompleteResponse>"],
  [
    { method: "DUStateChangeComplete", results: [RESULT, { ...RESULT, currentState: "Failed", resolved: false, fault: { faultCode: 9026, faultString: "Duplicate Deployment Unit" } }], commandKey: "du-1" },
    `<cwmp:DUStateChangeComplete><Results>${RESULT_XML}</Results><Results>` +
      RESULT_XML.replace("<CurrentState>Installed", "<CurrentState>Failed")
        .replace("<Resolved>1", "<Resolved>0")
        .replace("<FaultCode>0</FaultCode><FaultString></FaultString>", "<FaultCode>9026</FaultCode><FaultString>Duplicate Deployment Unit</FaultString>") +
      "</Results><CommandKey>du-1</CommandKey></cwmp:DUStateChangeComplete>",
  ],
  [{ method: "DUStateChangeCompleteResponse" }, "<cwmp:DUStateChangeCompleteResponse></cwmp:DUStateChangeCompleteResponse>"],
  [
    { method: "AutonomousDUStateChangeComplete", results: [{ ...RESULT, operationPerformed: "Install" }] },
    `<cwmp:AutonomousDUStateChangeComplete><Results>${RESULT_XML}<OperationPerformed>Install</OperationPerformed></Results></cwmp:AutonomousDUStateChangeComplete>`,
  ],
  [{ method: "AutonomousDUStateChangeCompleteResponse" }, "<cwmp:AutonomousDUStateChangeCompleteResponse></cwmp:AutonomousDUStateChangeCompleteResponse>"],
  [
    { method: "RequestDownload", fileType: "3 Vendor Configuration File", fileTypeArg: [{ name: "Version", value: "v2" }] },
    '<cwmp:RequestDownload><FileType>3 Vendor Configuration File</FileType><FileTypeArg soap-enc:arrayType="cwmp:ArgStruct[1]">' +
      "<ArgStruct><Name>Version</Name><Value>v2</Value></ArgStruct></FileTypeArg></cwmp:RequestDownload>",
  ],
  [{ method: "RequestDownloadResponse" }, "<cwmp:RequestDownloadResponse></cwmp:RequestDownloadResponse>"],
  [
    { method: "Kicked", command: "login", referer: "http://192.168.1.1/", arg: "user=1", next: "http://192.168.1.1/ok" },
    "<cwmp:Kicked><Command>login</Command><Referer>http://192.168.1.1/</Referer><Arg>user=1</Arg><Next>http://192.168.1.1/ok</Next></cwmp:Kicked>",
  ],
  [{ method: "KickedResponse", nextUrl: "http://192.168.1.1/ok" }, "<cwmp:KickedResponse><NextURL>http://192.168.1.1/ok</NextURL></cwmp:KickedResponse>"],
];

t.test("cwmp-1-2.xsd every attribute, transfer and DU body encodes byte-exact", async (t) => {
  for (const [body, xml] of FIXTURES) t.equal(encodeEnvelope(env(body)), PRELUDE + xml + POSTLUDE, body.method);
});

t.test("round trip: encode → decode is deep-equal and warning-free for every new body", async (t) => {
  const methods = new Set(FIXTURES.map(([b]) => b.method));
  t.equal(methods.size, FIXTURES.length, "one fixture per method");
  for (const [body] of FIXTURES) {
    t.ok(isTransferBody(body), `${body.method} is a TransferBody`);
    const result = decodeEnvelope(encodeEnvelope(env(body)));
    if (!result.ok) {
      t.fail(`${body.method}: ${result.error}`);
      continue;
    }
    t.strictSame(result.envelope, env(body), body.method);
    t.strictSame(result.warnings, [], `${body.method} without warnings`);
  }
});

t.test("quirk: ChangeDUState Operations with unprefixed xsi:type, another prefix, wrapped or bare structs, or no type", async (t) => {
  const { body, warnings } = decoded(
    t,
    cpeSoap(
      '<cwmp:ChangeDUState><Operations xsi:type="InstallOpStruct"><URL>http://h/a.tar</URL></Operations>' +
        '<Operations xmlns:ns1="urn:dslforum-org:cwmp-1-2" xsi:type="ns1:UninstallOpStruct"><Version>2</Version><UUID>' + UUID + "</UUID></Operations>" +
        "<Operations><UpdateOpStruct><URL>http://h/b.tar</URL></UpdateOpStruct></Operations>" +
        "<cwmp:InstallOpStruct><URL>http://h/c.tar</URL></cwmp:InstallOpStruct>" +
        `<Operations><UUID>${UUID}</UUID></Operations></cwmp:ChangeDUState>`,
    ),
  );
  t.strictSame(body, {
    method: "ChangeDUState",
    operations: [
      { type: "Install", url: "http://h/a.tar" },
      { type: "Uninstall", uuid: UUID, version: "2" },
      { type: "Update", url: "http://h/b.tar" },
      { type: "Install", url: "http://h/c.tar" },
      { type: "Uninstall", uuid: UUID },
    ],
    commandKey: "",
  });
  t.match(warnings, [/Operations without xsi:type; taken as UninstallOpStruct/]);
});

t.test("quirk: DUStateChangeComplete as a SOAP array of OpResultStruct, fields out of order, CommandKey first", async (t) => {
  const shuffled =
    "<OpResultStruct><Fault><FaultString></FaultString><FaultCode>0</FaultCode></Fault><CurrentState>Installed</CurrentState>" +
    `<UUID>${UUID}</UUID><Version>1.0</Version><Resolved>true</Resolved><DeploymentUnitRef>Device.SoftwareModules.DeploymentUnit.1</DeploymentUnitRef>` +
    "<ExecutionUnitRefList>Device.SoftwareModules.ExecutionUnit.1</ExecutionUnitRefList><CompleteTime>2026-11-24T10:00:02Z</CompleteTime>" +
    "<StartTime>2026-11-24T10:00:00Z</StartTime></OpResultStruct>";
  const second = `<OpResultStruct><UUID>${UUID}</UUID><DeploymentUnitRef></DeploymentUnitRef><Version></Version><CurrentState>Failed</CurrentState><Resolved>0</Resolved><ExecutionUnitRefList></ExecutionUnitRefList><StartTime>${UNKNOWN}</StartTime><CompleteTime>${UNKNOWN}</CompleteTime><Fault><FaultCode>9028</FaultCode><FaultString>Unknown Deployment Unit</FaultString></Fault></OpResultStruct>`;
  const { body, warnings } = decoded(
    t,
    cpeSoap(`<cwmp:DUStateChangeComplete><CommandKey>du-7</CommandKey><Results SOAP-ENC:arrayType="cwmp:OpResultStruct[2]">${shuffled}${second}</Results></cwmp:DUStateChangeComplete>`),
  );
  t.strictSame(body, {
    method: "DUStateChangeComplete",
    results: [
      RESULT,
      {
        uuid: UUID,
        deploymentUnitRef: "",
        version: "",
        currentState: "Failed",
        resolved: false,
        executionUnitRefList: "",
        startTime: UNKNOWN,
        completeTime: UNKNOWN,
        fault: { faultCode: 9028, faultString: "Unknown Deployment Unit" },
      },
    ],
    commandKey: "du-7",
  });
  t.strictSame(warnings, []);
});

t.test("quirk: GenieACS SetParameterAttributes with an empty Notification when NotificationChange is false (cwmp.md §3)", async (t) => {
  const { body, warnings } = decoded(
    t,
    cpeSoap(
      '<cwmp:SetParameterAttributes><ParameterList SOAP-ENC:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct>' +
        "<Name>Device.WiFi.</Name><NotificationChange>0</NotificationChange><Notification></Notification><AccessListChange>1</AccessListChange>" +
        '<AccessList SOAP-ENC:arrayType="xsd:string[1]"><string>Subscriber</string></AccessList></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>',
    ),
  );
  t.strictSame(body, {
    method: "SetParameterAttributes",
    parameterList: [{ name: "Device.WiFi.", notificationChange: false, notification: 0, accessListChange: true, accessList: ["Subscriber"] }],
  });
  t.strictSame(warnings, []);
});

t.test("CPE output: GetParameterAttributesResponse with wrong arrayType counts and xsd:string items, DownloadResponse Status 1", async (t) => {
  const gpa = decoded(
    t,
    cpeSoap(
      '<cwmp:GetParameterAttributesResponse><ParameterList SOAP-ENC:arrayType="cwmp:ParameterAttributeStruct[16]">' +
        "<ParameterAttributeStruct><Name>Device.DeviceInfo.UpTime</Name><Notification>0</Notification>" +
        '<AccessList SOAP-ENC:arrayType="xsd:string[0]"/></ParameterAttributeStruct></ParameterList></cwmp:GetParameterAttributesResponse>',
    ),
  );
  t.strictSame(gpa.body, { method: "GetParameterAttributesResponse", parameterList: [{ name: "Device.DeviceInfo.UpTime", notification: 0, accessList: [] }] });
  const dl = decoded(t, cpeSoap(`<cwmp:DownloadResponse><StartTime>${UNKNOWN}</StartTime><Status>1</Status><CompleteTime>${UNKNOWN}</CompleteTime></cwmp:DownloadResponse>`));
  t.strictSame(dl.body, { method: "DownloadResponse", status: 1, startTime: UNKNOWN, completeTime: UNKNOWN });
});

t.test("tolerant decode: a Download missing children gets defaults and one warning per child", async (t) => {
  const { body, warnings } = decoded(t, cpeSoap("<cwmp:Download><CommandKey>k</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>http://h/f</URL></cwmp:Download>"));
  t.match(body, { method: "Download", commandKey: "k", url: "http://h/f", fileSize: 0, delaySeconds: 0, successUrl: "" });
  t.equal(warnings.length, 7);
  const tc = decoded(t, cpeSoap("<cwmp:AutonomousTransferComplete><IsDownload>True</IsDownload></cwmp:AutonomousTransferComplete>"));
  t.match(tc.body, { method: "AutonomousTransferComplete", isDownload: true, faultStruct: { faultCode: 0 } });
  t.match(tc.warnings, [/AnnounceURL/]);
});
