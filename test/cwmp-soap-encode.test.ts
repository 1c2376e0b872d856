import t from "tap";
import { decodeEnvelope } from "../src/cwmp/soap-decode.js";
import { encodeEnvelope } from "../src/cwmp/soap-encode.js";
import type { CwmpBody, CwmpEnvelope, CwmpHeader } from "../src/cwmp/rpc.js";

const NS10 = "urn:dslforum-org:cwmp-1-0";
const PRELUDE =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soap-env:Envelope xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ' +
  'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">';

function expected(body: string, id = "42", extraHeader = ""): string {
  return (
    PRELUDE +
    `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${id}</cwmp:ID>${extraHeader}</soap-env:Header>` +
    `<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`
  );
}

function env(body: CwmpBody, header: CwmpHeader = { id: "42" }, cwmpNamespace = NS10): CwmpEnvelope {
  return { cwmpNamespace, header, body };
}

t.test("cwmp.md §1.4 InformResponse: GenieACS body, 1.4 UseCWMPVersion header", async (t) => {
  t.equal(
    encodeEnvelope(env({ method: "InformResponse", maxEnvelopes: 1 })),
    expected("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>"),
  );
  t.equal(
    encodeEnvelope(env({ method: "InformResponse", maxEnvelopes: 1 }, { id: "42", useCwmpVersion: "1.4" })),
    expected(
      "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
      "42",
      '<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion>',
    ),
  );
});

t.test("cwmp.md §1.2 echo the CPE's cwmp namespace URI exactly (freeacs#222)", async (t) => {
  const out = encodeEnvelope(env({ method: "InformResponse", maxEnvelopes: 1 }, { id: "1" }, "urn:dslforum-org:cwmp-1-2"));
  t.match(out, 'xmlns:cwmp="urn:dslforum-org:cwmp-1-2">');
});

t.test("cwmp.md §1.4 ACS request bodies byte-exact", async (t) => {
  const cases: [CwmpBody, string][] = [
    [
      { method: "GetParameterNames", parameterPath: "Device.DeviceInfo.", nextLevel: true },
      "<cwmp:GetParameterNames><ParameterPath>Device.DeviceInfo.</ParameterPath><NextLevel>1</NextLevel></cwmp:GetParameterNames>",
    ],
    [
      { method: "GetParameterNames", parameterPath: "", nextLevel: false },
      "<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>0</NextLevel></cwmp:GetParameterNames>",
    ],
    [
      { method: "GetParameterValues", parameterNames: ["Device.DeviceInfo.UpTime", "Device.DeviceInfo.SoftwareVersion"] },
      '<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[2]"><string>Device.DeviceInfo.UpTime</string>' +
        "<string>Device.DeviceInfo.SoftwareVersion</string></ParameterNames></cwmp:GetParameterValues>",
    ],
    [
      {
        method: "SetParameterValues",
        parameterList: [{ name: "Device.ManagementServer.PeriodicInformInterval", value: "300", type: "xsd:unsignedInt" }],
        parameterKey: "key1",
      },
      '<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct>' +
        '<Name>Device.ManagementServer.PeriodicInformInterval</Name><Value xsi:type="xsd:unsignedInt">300</Value>' +
        "</ParameterValueStruct></ParameterList><ParameterKey>key1</ParameterKey></cwmp:SetParameterValues>",
    ],
    [
      { method: "AddObject", objectName: "Device.IP.Interface.", parameterKey: "" },
      "<cwmp:AddObject><ObjectName>Device.IP.Interface.</ObjectName><ParameterKey></ParameterKey></cwmp:AddObject>",
    ],
    [
      { method: "DeleteObject", objectName: "Device.IP.Interface.3.", parameterKey: "" },
      "<cwmp:DeleteObject><ObjectName>Device.IP.Interface.3.</ObjectName><ParameterKey></ParameterKey></cwmp:DeleteObject>",
    ],
    [{ method: "Reboot", commandKey: "" }, "<cwmp:Reboot><CommandKey></CommandKey></cwmp:Reboot>"],
    [{ method: "FactoryReset" }, "<cwmp:FactoryReset></cwmp:FactoryReset>"],
    [{ method: "GetRPCMethods" }, "<cwmp:GetRPCMethods></cwmp:GetRPCMethods>"],
    [{ method: "TransferCompleteResponse" }, "<cwmp:TransferCompleteResponse></cwmp:TransferCompleteResponse>"],
    [
      { method: "GetRPCMethodsResponse", methodList: ["Inform", "GetRPCMethods", "TransferComplete"] },
      '<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType="xsd:string[3]"><string>Inform</string>' +
        "<string>GetRPCMethods</string><string>TransferComplete</string></MethodList></cwmp:GetRPCMethodsResponse>",
    ],
  ];
  for (const [body, xml] of cases) t.equal(encodeEnvelope(env(body)), expected(xml), body.method);
});

t.test("cwmp.md §4 Fault as a real soap-env:Fault, ACS side (8000) and CPE side (9003 + SPV faults)", async (t) => {
  t.equal(
    encodeEnvelope(
      env({
        method: "Fault",
        faultcode: "Client",
        faultstring: "CWMP fault",
        fault: { faultCode: 8000, faultString: "Method not supported", setParameterValuesFaults: [] },
      }),
    ),
    expected(
      "<soap-env:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault>" +
        "<FaultCode>8000</FaultCode><FaultString>Method not supported</FaultString></cwmp:Fault></detail></soap-env:Fault>",
    ),
  );
  t.equal(
    encodeEnvelope(
      env({
        method: "Fault",
        faultcode: "Client",
        faultstring: "CWMP fault",
        fault: {
          faultCode: 9003,
          faultString: "Invalid arguments",
          setParameterValuesFaults: [{ parameterName: "Device.X.Y", faultCode: 9007, faultString: "Value out of range" }],
        },
      }),
    ),
    expected(
      "<soap-env:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault>" +
        "<FaultCode>9003</FaultCode><FaultString>Invalid arguments</FaultString><SetParameterValuesFault>" +
        "<ParameterName>Device.X.Y</ParameterName><FaultCode>9007</FaultCode><FaultString>Value out of range</FaultString>" +
        "</SetParameterValuesFault></cwmp:Fault></detail></soap-env:Fault>",
    ),
  );
});

t.test("CPE side: Inform with 1.4 header fields, byte-exact", async (t) => {
  const xml = encodeEnvelope(
    env(
      {
        method: "Inform",
        deviceId: { manufacturer: "X", oui: "202BC1", productClass: "BM632w", serialNumber: "000000" },
        event: [
          { eventCode: "1 BOOT", commandKey: "" },
          { eventCode: "M Reboot", commandKey: "k1" },
        ],
        maxEnvelopes: 1,
        currentTime: "2026-11-23T23:41:22Z",
        retryCount: 0,
        parameterList: [
          { name: "Device.ManagementServer.ConnectionRequestURL", value: "http://10.0.0.2:7547/abc", type: "xsd:string" },
        ],
      },
      { id: "1", sessionTimeout: 60, supportedCwmpVersions: "1.0,1.1,1.2,1.3,1.4" },
    ),
  );
  t.equal(
    xml,
    expected(
      "<cwmp:Inform><DeviceId><Manufacturer>X</Manufacturer><OUI>202BC1</OUI><ProductClass>BM632w</ProductClass>" +
        '<SerialNumber>000000</SerialNumber></DeviceId><Event soap-enc:arrayType="cwmp:EventStruct[2]">' +
        "<EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct>" +
        "<EventStruct><EventCode>M Reboot</EventCode><CommandKey>k1</CommandKey></EventStruct></Event>" +
        "<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-23T23:41:22Z</CurrentTime><RetryCount>0</RetryCount>" +
        '<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct>' +
        '<Name>Device.ManagementServer.ConnectionRequestURL</Name><Value xsi:type="xsd:string">http://10.0.0.2:7547/abc</Value>' +
        "</ParameterValueStruct></ParameterList></cwmp:Inform>",
      "1",
      '<cwmp:SessionTimeout soap-env:mustUnderstand="0">60</cwmp:SessionTimeout>' +
        '<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.1,1.2,1.3,1.4</cwmp:SupportedCWMPVersions>',
    ),
  );
});

t.test("CPE side: response bodies byte-exact", async (t) => {
  const cases: [CwmpBody, string][] = [
    [
      {
        method: "GetParameterNamesResponse",
        parameterList: [
          { name: "Device.DeviceInfo.", writable: false },
          { name: "Device.DeviceInfo.ProvisioningCode", writable: true },
        ],
      },
      '<cwmp:GetParameterNamesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterInfoStruct[2]">' +
        "<ParameterInfoStruct><Name>Device.DeviceInfo.</Name><Writable>0</Writable></ParameterInfoStruct>" +
        "<ParameterInfoStruct><Name>Device.DeviceInfo.ProvisioningCode</Name><Writable>1</Writable></ParameterInfoStruct>" +
        "</ParameterList></cwmp:GetParameterNamesResponse>",
    ],
    [
      { method: "GetParameterValuesResponse", parameterList: [{ name: "Device.DeviceInfo.UpTime", value: "213138", type: "xsd:unsignedInt" }] },
      '<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct>' +
        '<Name>Device.DeviceInfo.UpTime</Name><Value xsi:type="xsd:unsignedInt">213138</Value></ParameterValueStruct>' +
        "</ParameterList></cwmp:GetParameterValuesResponse>",
    ],
    [
      { method: "SetParameterValuesResponse", status: 0 },
      "<cwmp:SetParameterValuesResponse><Status>0</Status></cwmp:SetParameterValuesResponse>",
    ],
    [
      { method: "AddObjectResponse", instanceNumber: 3, status: 0 },
      "<cwmp:AddObjectResponse><InstanceNumber>3</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>",
    ],
    [{ method: "DeleteObjectResponse", status: 1 }, "<cwmp:DeleteObjectResponse><Status>1</Status></cwmp:DeleteObjectResponse>"],
    [{ method: "RebootResponse" }, "<cwmp:RebootResponse></cwmp:RebootResponse>"],
    [{ method: "FactoryResetResponse" }, "<cwmp:FactoryResetResponse></cwmp:FactoryResetResponse>"],
    [
      {
        method: "TransferComplete",
        commandKey: "ck",
        faultStruct: { faultCode: 0, faultString: "" },
        startTime: "2026-01-01T00:00:00Z",
        completeTime: "2026-01-01T00:00:05Z",
      },
      "<cwmp:TransferComplete><CommandKey>ck</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString></FaultString>" +
        "</FaultStruct><StartTime>2026-01-01T00:00:00Z</StartTime><CompleteTime>2026-01-01T00:00:05Z</CompleteTime></cwmp:TransferComplete>",
    ],
  ];
  for (const [body, xml] of cases) t.equal(encodeEnvelope(env(body)), expected(xml), body.method);
});

t.test("cwmp.md §1.3 XML-escape & < > \" ' in IDs, names and values", async (t) => {
  const xml = encodeEnvelope(
    env(
      { method: "SetParameterValues", parameterList: [{ name: "A.<b>", value: `x & "y" 'z' <w>`, type: "xsd:string" }], parameterKey: "k&" },
      { id: "i<d>" },
    ),
  );
  t.match(xml, "<cwmp:ID soap-env:mustUnderstand=\"1\">i&lt;d&gt;</cwmp:ID>");
  t.match(xml, "<Name>A.&lt;b&gt;</Name><Value xsi:type=\"xsd:string\">x &amp; &quot;y&quot; &apos;z&apos; &lt;w&gt;</Value>");
  t.match(xml, "<ParameterKey>k&amp;</ParameterKey>");
});

const ALL_BODIES: CwmpBody[] = [
  {
    method: "Inform",
    deviceId: { manufacturer: "Huawei & Co", oui: "202BC1", productClass: "", serialNumber: "000001" },
    event: [{ eventCode: "2 PERIODIC", commandKey: "" }],
    maxEnvelopes: 1,
    currentTime: "2018-06-20T00:30:18",
    retryCount: 2,
    parameterList: [
      { name: "InternetGatewayDevice.DeviceInfo.SoftwareVersion", value: " v1 <beta> ", type: "xsd:string" },
      { name: "InternetGatewayDevice.DeviceInfo.UpTime", value: "5", type: "xsd:unsignedInt" },
    ],
  },
  { method: "TransferComplete", commandKey: "c", faultStruct: { faultCode: 9010, faultString: "Download timeout" }, startTime: "a", completeTime: "b" },
  { method: "GetRPCMethods" },
  { method: "InformResponse", maxEnvelopes: 1 },
  { method: "TransferCompleteResponse" },
  { method: "GetRPCMethodsResponse", methodList: ["GetParameterValues", "X_FactoryResetSoft"] },
  { method: "GetParameterNames", parameterPath: "Device.", nextLevel: true },
  { method: "GetParameterValues", parameterNames: ["Device.", "Device.DeviceInfo.UpTime"] },
  { method: "GetParameterValues", parameterNames: [] },
  {
    method: "SetParameterValues",
    parameterList: [
      { name: "Device.A", value: "true", type: "xsd:boolean" },
      { name: "Device.B", value: "line1\nline2\r\n", type: "xsd:string" },
    ],
    parameterKey: "",
  },
  { method: "AddObject", objectName: "Device.NAT.PortMapping.", parameterKey: "pk" },
  { method: "DeleteObject", objectName: "Device.NAT.PortMapping.2.", parameterKey: "pk" },
  { method: "Reboot", commandKey: "reboot-1" },
  { method: "FactoryReset" },
  { method: "GetParameterNamesResponse", parameterList: [{ name: "Device.", writable: false }] },
  { method: "GetParameterValuesResponse", parameterList: [] },
  { method: "SetParameterValuesResponse", status: 1 },
  { method: "AddObjectResponse", instanceNumber: 12, status: 1 },
  { method: "DeleteObjectResponse", status: 0 },
  { method: "RebootResponse" },
  { method: "FactoryResetResponse" },
  {
    method: "Fault",
    faultcode: "Server",
    faultstring: "CWMP fault",
    fault: {
      faultCode: 9003,
      faultString: "Invalid arguments",
      setParameterValuesFaults: [
        { parameterName: "Device.A", faultCode: 9007, faultString: "bad" },
        { parameterName: "Device.B", faultCode: 9008, faultString: "ro" },
      ],
    },
  },
  { method: "Unknown", name: "GetOptions" },
];

t.test("round trip: encode → decode is deep-equal for every body type", async (t) => {
  const headers: CwmpHeader[] = [
    { id: "abc" },
    { id: "1", sessionTimeout: 30, supportedCwmpVersions: "1.0,1.4", useCwmpVersion: "1.4", holdRequests: false },
  ];
  for (const body of ALL_BODIES) {
    for (const header of headers) {
      const envelope = env(body, header, "urn:dslforum-org:cwmp-1-2");
      const decoded = decodeEnvelope(encodeEnvelope(envelope));
      if (!decoded.ok) {
        t.fail(`${body.method}: ${decoded.error}`);
        continue;
      }
      t.strictSame(decoded.envelope, envelope, body.method);
      t.strictSame(decoded.warnings, [], `${body.method} decodes without warnings`);
    }
  }
});

t.test("strict writer: control characters are dropped so the output stays well-formed (genieacs#76)", async (t) => {
  const xml = encodeEnvelope(env({ method: "Reboot", commandKey: "a\u0002b" }));
  t.match(xml, "<CommandKey>ab</CommandKey>");
});
