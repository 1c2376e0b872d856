import t, { type Test } from "tap";
import { decodeEnvelope, type DecodeResult } from "../src/cwmp/soap-decode.js";
import type { CwmpBody, CwmpEnvelope } from "../src/cwmp/rpc.js";

const NS = {
  env: "http://schemas.xmlsoap.org/soap/envelope/",
  enc: "http://schemas.xmlsoap.org/soap/encoding/",
  xsd: "http://www.w3.org/2001/XMLSchema",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
};

/** A GenieACS-prefixed envelope around `body`; `cwmp` namespace selectable. */
function soap(body: string, opts: { header?: string; cwmp?: string } = {}): string {
  const header = opts.header ?? '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">42</cwmp:ID></soap-env:Header>';
  return (
    `<soap-env:Envelope xmlns:soap-env="${NS.env}" xmlns:soap-enc="${NS.enc}" xmlns:xsd="${NS.xsd}" ` +
    `xmlns:xsi="${NS.xsi}" xmlns:cwmp="${opts.cwmp ?? "urn:dslforum-org:cwmp-1-0"}">` +
    `${header}<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`
  );
}

function ok(t: Test, result: DecodeResult): { envelope: CwmpEnvelope; warnings: string[] } {
  if (!result.ok) {
    t.fail(`decode failed: ${result.error}`);
    throw new Error(result.error);
  }
  return result;
}

function bodyOf(t: Test, xml: string): CwmpBody {
  return ok(t, decodeEnvelope(xml)).envelope.body;
}

function pvs(name: string, value: string, type = 'xsi:type="xsd:string"'): string {
  return `<ParameterValueStruct><Name>${name}</Name><Value ${type}>${value}</Value></ParameterValueStruct>`;
}

const CANONICAL_INFORM = `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
 <soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header>
 <soap-env:Body><cwmp:Inform>
  <DeviceId><Manufacturer>X</Manufacturer><OUI>202BC1</OUI><ProductClass>BM632w</ProductClass><SerialNumber>000000</SerialNumber></DeviceId>
  <Event soap-enc:arrayType="cwmp:EventStruct[2]">
    <EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct>
    <EventStruct><EventCode>M Reboot</EventCode><CommandKey>k1</CommandKey></EventStruct></Event>
  <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-11-23T23:41:22Z</CurrentTime><RetryCount>0</RetryCount>
  <ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]">
    <ParameterValueStruct><Name>Device.ManagementServer.ConnectionRequestURL</Name>
      <Value xsi:type="xsd:string">http://10.0.0.2:7547/abc</Value></ParameterValueStruct></ParameterList>
 </cwmp:Inform></soap-env:Body></soap-env:Envelope>`;

t.test("cwmp.md §1.4 canonical Inform", async (t) => {
  const { envelope, warnings } = ok(t, decodeEnvelope(CANONICAL_INFORM));
  t.strictSame(envelope, {
    cwmpNamespace: "urn:dslforum-org:cwmp-1-0",
    header: { id: "1" },
    body: {
      method: "Inform",
      deviceId: { manufacturer: "X", oui: "202BC1", productClass: "BM632w", serialNumber: "000000" },
      event: [
        { eventCode: "1 BOOT", commandKey: "" },
        { eventCode: "M Reboot", commandKey: "k1" },
      ],
      maxEnvelopes: 1,
      currentTime: "2026-11-23T23:41:22Z",
      retryCount: 0,
      parameterList: [{ name: "Device.ManagementServer.ConnectionRequestURL", value: "http://10.0.0.2:7547/abc", type: "xsd:string" }],
    },
  });
  t.strictSame(warnings, []);
});

t.test("quirk: genieacs-sim Inform, arrayType [16] with fewer children (cwmp.md §6.5)", async (t) => {
  const list = [
    pvs("InternetGatewayDevice.DeviceInfo.SpecVersion", "1.0"),
    pvs("InternetGatewayDevice.DeviceInfo.HardwareVersion", "HW1"),
    pvs("InternetGatewayDevice.DeviceInfo.SoftwareVersion", "V100R001"),
    pvs("InternetGatewayDevice.ManagementServer.ConnectionRequestURL", "http://127.0.0.1:34001/"),
  ].join("");
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    soap(
      "<cwmp:Inform><DeviceId><Manufacturer>Huawei Technologies Co., Ltd</Manufacturer><OUI>202BC1</OUI>" +
        "<ProductClass>BM632w</ProductClass><SerialNumber>000000</SerialNumber></DeviceId>" +
        '<Event soap-enc:arrayType="cwmp:EventStruct[1]"><EventStruct><EventCode>2 PERIODIC</EventCode><CommandKey></CommandKey></EventStruct></Event>' +
        "<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2019-07-23T10:00:00.000Z</CurrentTime><RetryCount>0</RetryCount>" +
        `<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[16]">${list}</ParameterList></cwmp:Inform>`,
      { header: '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">k3x9a2bq</cwmp:ID></soap-env:Header>' },
    );
  const { envelope, warnings } = ok(t, decodeEnvelope(xml));
  t.equal(envelope.header.id, "k3x9a2bq");
  t.equal(envelope.body.method, "Inform");
  if (envelope.body.method === "Inform") {
    t.equal(envelope.body.parameterList.length, 4, "children counted, [16] ignored");
    t.equal(envelope.body.event[0]?.eventCode, "2 PERIODIC");
  }
  t.strictSame(warnings, []);
});

t.test("TR-069 A.3.2 every CPE response type decodes", async (t) => {
  t.strictSame(
    bodyOf(
      t,
      soap(
        '<cwmp:GetParameterNamesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterInfoStruct[2]">' +
          "<ParameterInfoStruct><Name>Device.IP.</Name><Writable>0</Writable></ParameterInfoStruct>" +
          "<ParameterInfoStruct><Writable>true</Writable><Name>Device.IP.Interface.</Name></ParameterInfoStruct>" +
          "</ParameterList></cwmp:GetParameterNamesResponse>",
      ),
    ),
    {
      method: "GetParameterNamesResponse",
      parameterList: [
        { name: "Device.IP.", writable: false },
        { name: "Device.IP.Interface.", writable: true },
      ],
    },
  );
  t.strictSame(
    bodyOf(
      t,
      soap(
        `<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]">` +
          `${pvs("Device.DeviceInfo.UpTime", "42", 'xsi:type="xsd:unsignedInt"')}${pvs("Device.X.Enable", "true", 'xsi:type="xsd:boolean"')}` +
          "</ParameterList></cwmp:GetParameterValuesResponse>",
      ),
    ),
    {
      method: "GetParameterValuesResponse",
      parameterList: [
        { name: "Device.DeviceInfo.UpTime", value: "42", type: "xsd:unsignedInt" },
        { name: "Device.X.Enable", value: "true", type: "xsd:boolean" },
      ],
    },
  );
  t.strictSame(bodyOf(t, soap("<cwmp:SetParameterValuesResponse><Status>1</Status></cwmp:SetParameterValuesResponse>")), {
    method: "SetParameterValuesResponse",
    status: 1,
  });
  t.strictSame(
    bodyOf(t, soap("<cwmp:AddObjectResponse><Status>0</Status><InstanceNumber>7</InstanceNumber></cwmp:AddObjectResponse>")),
    { method: "AddObjectResponse", instanceNumber: 7, status: 0 },
  );
  t.strictSame(bodyOf(t, soap("<cwmp:DeleteObjectResponse><Status>0</Status></cwmp:DeleteObjectResponse>")), {
    method: "DeleteObjectResponse",
    status: 0,
  });
  t.strictSame(bodyOf(t, soap("<cwmp:RebootResponse/>")), { method: "RebootResponse" });
  t.strictSame(bodyOf(t, soap("<cwmp:FactoryResetResponse></cwmp:FactoryResetResponse>")), { method: "FactoryResetResponse" });
  t.strictSame(
    bodyOf(
      t,
      soap(
        '<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType="xsd:string[2]"><string>GetRPCMethods</string>' +
          "<string>Reboot</string></MethodList></cwmp:GetRPCMethodsResponse>",
      ),
    ),
    { method: "GetRPCMethodsResponse", methodList: ["GetRPCMethods", "Reboot"] },
  );
  t.strictSame(bodyOf(t, soap("<cwmp:GetRPCMethods/>")), { method: "GetRPCMethods" });
});

t.test("cwmp.md §2.4 TransferComplete in genieacs-sim order (CommandKey, StartTime, CompleteTime, FaultStruct)", async (t) => {
  t.strictSame(
    bodyOf(
      t,
      soap(
        "<cwmp:TransferComplete><CommandKey>18c0a1</CommandKey><StartTime>2026-01-01T00:00:00Z</StartTime>" +
          "<CompleteTime>2026-01-01T00:01:00Z</CompleteTime><FaultStruct><FaultCode>9010</FaultCode>" +
          "<FaultString>Download timeout</FaultString></FaultStruct></cwmp:TransferComplete>",
      ),
    ),
    {
      method: "TransferComplete",
      commandKey: "18c0a1",
      faultStruct: { faultCode: 9010, faultString: "Download timeout" },
      startTime: "2026-01-01T00:00:00Z",
      completeTime: "2026-01-01T00:01:00Z",
    },
  );
});

t.test("cwmp.md §4 CPE fault with SetParameterValuesFault entries", async (t) => {
  const xml = soap(
    '<soap-env:Fault soap-env:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><faultcode>soap-env:Client</faultcode>' +
      '<faultstring xsi:type="xsd:string">CWMP FAULT</faultstring><detail><cwmp:Fault><FaultCode>9003</FaultCode>' +
      "<FaultString>Invalid arguments</FaultString>" +
      "<SetParameterValuesFault><ParameterName>Device.X.Y</ParameterName><FaultCode>9007</FaultCode><FaultString>Value out of range</FaultString></SetParameterValuesFault>" +
      "<SetParameterValuesFault><FaultString>read-only</FaultString><FaultCode>9008</FaultCode><ParameterName>Device.X.Z</ParameterName></SetParameterValuesFault>" +
      "</cwmp:Fault></detail></soap-env:Fault>",
  );
  t.strictSame(bodyOf(t, xml), {
    method: "Fault",
    faultcode: "Client",
    faultstring: "CWMP FAULT",
    fault: {
      faultCode: 9003,
      faultString: "Invalid arguments",
      setParameterValuesFaults: [
        { parameterName: "Device.X.Y", faultCode: 9007, faultString: "Value out of range" },
        { parameterName: "Device.X.Z", faultCode: 9008, faultString: "read-only" },
      ],
    },
  });
});

t.test("cwmp.md §4 ACS fault 8005 decodes on the CPE side; namespace taken from the detail", async (t) => {
  const xml =
    `<s:Envelope xmlns:s="${NS.env}"><s:Header><c:ID xmlns:c="urn:dslforum-org:cwmp-1-1">9</c:ID></s:Header><s:Body><s:Fault>` +
    '<faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault xmlns:cwmp="urn:dslforum-org:cwmp-1-1">' +
    "<FaultCode>8005</FaultCode><FaultString>Retry request</FaultString></cwmp:Fault></detail></s:Fault></s:Body></s:Envelope>";
  const { envelope } = ok(t, decodeEnvelope(xml));
  t.equal(envelope.cwmpNamespace, "urn:dslforum-org:cwmp-1-1");
  t.strictSame(envelope.body, {
    method: "Fault",
    faultcode: "Server",
    faultstring: "CWMP fault",
    fault: { faultCode: 8005, faultString: "Retry request", setParameterValuesFaults: [] },
  });
});

t.test("quirk: envelope prefixes soap_env, SOAP-ENV and soapenv (genieacs#138)", async (t) => {
  for (const p of ["soap_env", "SOAP-ENV", "soapenv"]) {
    const xml =
      `<${p}:Envelope xmlns:${p}="${NS.env}" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><${p}:Header>` +
      `<cwmp:ID ${p}:mustUnderstand="1">id-${p}</cwmp:ID></${p}:Header><${p}:Body><cwmp:Reboot><CommandKey>x</CommandKey>` +
      `</cwmp:Reboot></${p}:Body></${p}:Envelope>`;
    const { envelope, warnings } = ok(t, decodeEnvelope(xml));
    t.equal(envelope.header.id, `id-${p}`, p);
    t.equal(envelope.cwmpNamespace, "urn:dslforum-org:cwmp-1-2");
    t.strictSame(envelope.body, { method: "Reboot", commandKey: "x" });
    t.strictSame(warnings, []);
  }
});

t.test("quirk: MikroTik single-quoted attributes, `soap` bound to the encoding URI with mustUnderstand (cwmp.md §1.1)", async (t) => {
  const xml =
    "<?xml version='1.0' encoding='UTF-8'?>" +
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV='${NS.env}' xmlns:soap='${NS.enc}' xmlns:xsd='${NS.xsd}' xmlns:xsi='${NS.xsi}' ` +
    "xmlns:cwmp='urn:dslforum-org:cwmp-1-0'><SOAP-ENV:Header><cwmp:ID soap:mustUnderstand='1'>mt1</cwmp:ID></SOAP-ENV:Header>" +
    "<SOAP-ENV:Body><cwmp:GetParameterValuesResponse><ParameterList soap:arrayType='cwmp:ParameterValueStruct[1]'>" +
    "<ParameterValueStruct><Name>Device.DeviceInfo.ModelName</Name><Value xsi:type='xsd:string'>RB951</Value></ParameterValueStruct>" +
    "</ParameterList></cwmp:GetParameterValuesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  const { envelope, warnings } = ok(t, decodeEnvelope(xml));
  t.equal(envelope.header.id, "mt1");
  t.strictSame(envelope.body, {
    method: "GetParameterValuesResponse",
    parameterList: [{ name: "Device.DeviceInfo.ModelName", value: "RB951", type: "xsd:string" }],
  });
  t.strictSame(warnings, []);
});

t.test("quirk: missing Header → ID \"\" with a warning (genieacs#233)", async (t) => {
  const { envelope, warnings } = ok(t, decodeEnvelope(soap("<cwmp:RebootResponse/>", { header: "" })));
  t.equal(envelope.header.id, "");
  t.match(warnings, [/missing SOAP Header/]);
});

t.test("quirk: empty <SOAP-ENV:Header/> without cwmp:ID (genieacs#233)", async (t) => {
  const { envelope, warnings } = ok(t, decodeEnvelope(soap("<cwmp:RebootResponse/>", { header: "<soap-env:Header/>" })));
  t.strictSame(envelope.header, { id: "" });
  t.match(warnings, [/missing cwmp:ID/]);
});

t.test("cwmp.md §1.2 cwmp-1-2 with SessionTimeout (CWMP 1.3)", async (t) => {
  const header =
    '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">7</cwmp:ID>' +
    '<cwmp:SessionTimeout soap-env:mustUnderstand="0">60</cwmp:SessionTimeout></soap-env:Header>';
  const { envelope } = ok(t, decodeEnvelope(soap("<cwmp:GetRPCMethods/>", { header, cwmp: "urn:dslforum-org:cwmp-1-2" })));
  t.equal(envelope.cwmpNamespace, "urn:dslforum-org:cwmp-1-2");
  t.strictSame(envelope.header, { id: "7", sessionTimeout: 60 });
});

t.test("quirk: unofficial cwmp-1-4 namespace (icwmp) with SupportedCWMPVersions, HoldRequests, UseCWMPVersion", async (t) => {
  const header =
    '<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">7</cwmp:ID>' +
    '<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.1,1.2,1.3,1.4</cwmp:SupportedCWMPVersions>' +
    '<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion>' +
    '<cwmp:HoldRequests soap-env:mustUnderstand="1">True</cwmp:HoldRequests></soap-env:Header>';
  const { envelope } = ok(t, decodeEnvelope(soap("<cwmp:GetRPCMethods/>", { header, cwmp: "urn:dslforum-org:cwmp-1-4" })));
  t.equal(envelope.cwmpNamespace, "urn:dslforum-org:cwmp-1-4");
  t.strictSame(envelope.header, {
    id: "7",
    holdRequests: true,
    supportedCwmpVersions: "1.0,1.1,1.2,1.3,1.4",
    useCwmpVersion: "1.4",
  });
});

t.test("cwmp.md §1.3 mixed-case booleans True/FALSE/1/0; an empty one is a warning (genieacs#215)", async (t) => {
  const list = ["True", "FALSE", "1", "0", ""]
    .map((w, i) => `<ParameterInfoStruct><Name>A.${i}</Name><Writable>${w}</Writable></ParameterInfoStruct>`)
    .join("");
  const decoded = ok(t, decodeEnvelope(soap(`<cwmp:GetParameterNamesResponse><ParameterList>${list}</ParameterList></cwmp:GetParameterNamesResponse>`)));
  const body = decoded.envelope.body;
  t.equal(body.method, "GetParameterNamesResponse");
  if (body.method === "GetParameterNamesResponse") {
    t.strictSame(body.parameterList.map((p) => p.writable), [true, false, true, false, false]);
  }
  t.equal(decoded.warnings.length, 1);
  t.match(decoded.warnings[0], /invalid boolean "" in <Writable>/);
  t.strictSame(bodyOf(t, soap("<cwmp:GetParameterNames><NextLevel>TRUE</NextLevel><ParameterPath>Device.</ParameterPath></cwmp:GetParameterNames>")), {
    method: "GetParameterNames",
    parameterPath: "Device.",
    nextLevel: true,
  });
});

t.test("cwmp.md §1.3 value types: missing xsi:type, empty `xsd:` (genieacs#139), xs: prefix normalised, missing Value (genieacs#317)", async (t) => {
  const list =
    "<ParameterValueStruct><Name>A.untyped</Name><Value>u</Value></ParameterValueStruct>" +
    pvs("A.empty", "e", 'xsi:type="xsd:"') +
    pvs("A.xs", "x", 'xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="xs:unsignedInt"') +
    pvs("A.other", "o", 'xmlns:q="http://www.w3.org/2001/XMLSchema" xsi:type="q:base64Binary"') +
    pvs("A.vendor", "v", 'xsi:type="cwmp:Vendor"') +
    "<ParameterValueStruct><Name>A.novalue</Name></ParameterValueStruct>";
  const decoded = ok(
    t,
    decodeEnvelope(soap(`<cwmp:GetParameterValuesResponse><ParameterList>${list}</ParameterList></cwmp:GetParameterValuesResponse>`)),
  );
  t.strictSame(decoded.envelope.body, {
    method: "GetParameterValuesResponse",
    parameterList: [
      { name: "A.untyped", value: "u", type: "xsd:string" },
      { name: "A.empty", value: "e", type: "xsd:string" },
      { name: "A.xs", value: "x", type: "xsd:unsignedInt" },
      { name: "A.other", value: "o", type: "xsd:base64Binary" },
      { name: "A.vendor", value: "v", type: "cwmp:Vendor" },
      { name: "A.novalue", value: "", type: "xsd:string" },
    ],
  });
  t.match(decoded.warnings, [/missing xsi:type on Value of A\.untyped/, /empty xsi:type "xsd:" on Value of A\.empty/, /missing <Value> for A\.novalue/]);
  t.equal(decoded.warnings.length, 3);
});

t.test("cwmp.md §8 item 2 CDATA accepted as text", async (t) => {
  const body = bodyOf(
    t,
    soap(`<cwmp:GetParameterValuesResponse><ParameterList>${pvs("A.b", "<![CDATA[a<b & c]]>")}</ParameterList></cwmp:GetParameterValuesResponse>`),
  );
  t.strictSame(body, { method: "GetParameterValuesResponse", parameterList: [{ name: "A.b", value: "a<b & c", type: "xsd:string" }] });
});

t.test("XML 1.0 §4.6 predefined entities and numeric character references", async (t) => {
  const body = bodyOf(
    t,
    soap(`<cwmp:GetParameterValuesResponse><ParameterList>${pvs("A.b", "&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;")}</ParameterList></cwmp:GetParameterValuesResponse>`),
  );
  t.strictSame(body, { method: "GetParameterValuesResponse", parameterList: [{ name: "A.b", value: `&<>"'AB😀`, type: "xsd:string" }] });
});

t.test("quirk: control characters are stripped with a warning (genieacs#76)", async (t) => {
  const decoded = ok(
    t,
    decodeEnvelope(soap(`<cwmp:GetParameterValuesResponse><ParameterList>${pvs("A.b", "x\u0002y\u001fz")}</ParameterList></cwmp:GetParameterValuesResponse>`)),
  );
  t.strictSame(decoded.envelope.body, { method: "GetParameterValuesResponse", parameterList: [{ name: "A.b", value: "xyz", type: "xsd:string" }] });
  t.match(decoded.warnings, [/control character/]);
});

t.test("cwmp.md §1.4 ACS requests decode (CPE simulator side)", async (t) => {
  t.strictSame(
    bodyOf(
      t,
      soap(
        '<cwmp:SetParameterValues><ParameterKey>k</ParameterKey><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]">' +
          `${pvs("Device.X", "300", 'xsi:type="xsd:unsignedInt"')}</ParameterList></cwmp:SetParameterValues>`,
      ),
    ),
    { method: "SetParameterValues", parameterList: [{ name: "Device.X", value: "300", type: "xsd:unsignedInt" }], parameterKey: "k" },
  );
  t.strictSame(bodyOf(t, soap("<cwmp:AddObject><ObjectName>Device.IP.Interface.</ObjectName><ParameterKey/></cwmp:AddObject>")), {
    method: "AddObject",
    objectName: "Device.IP.Interface.",
    parameterKey: "",
  });
  t.strictSame(bodyOf(t, soap("<cwmp:DeleteObject><ObjectName>Device.IP.Interface.3.</ObjectName><ParameterKey></ParameterKey></cwmp:DeleteObject>")), {
    method: "DeleteObject",
    objectName: "Device.IP.Interface.3.",
    parameterKey: "",
  });
  t.strictSame(bodyOf(t, soap("<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>")), {
    method: "InformResponse",
    maxEnvelopes: 1,
  });
  t.strictSame(bodyOf(t, soap("<cwmp:FactoryReset></cwmp:FactoryReset>")), { method: "FactoryReset" });
  t.strictSame(bodyOf(t, soap("<cwmp:TransferCompleteResponse/>")), { method: "TransferCompleteResponse" });
});

t.test("quirk: unprefixed method in a default cwmp namespace", async (t) => {
  const xml = `<Envelope xmlns="${NS.env}"><Body><GetRPCMethods xmlns="urn:dslforum-org:cwmp-1-1"/></Body></Envelope>`;
  const { envelope } = ok(t, decodeEnvelope(xml));
  t.equal(envelope.cwmpNamespace, "urn:dslforum-org:cwmp-1-1");
  t.strictSame(envelope.body, { method: "GetRPCMethods" });
});

t.test("cwmp.md §2.4 unknown method decodes as a value, not an error", async (t) => {
  t.strictSame(bodyOf(t, soap("<cwmp:SetVouchers><VoucherList/></cwmp:SetVouchers>")), {
    method: "Unknown",
    name: "SetVouchers",
  });
});

t.test("freeacs#186 invalid input is an error with a clear message, never a throw", async (t) => {
  const cases: [string, string | RegExp][] = [
    ["", "empty body"],
    [" \r\n\t ", "empty body"],
    [soap("<cwmp:Reboot><CommandKey>x</Reboot>"), /malformed XML at line 1, column \d+/],
    ["<a><b></a>", /malformed XML at line 1, column \d+: Expected closing tag 'b'/],
    ["not xml at all", /malformed XML at line 1, column 1/],
    [`<!DOCTYPE x [<!ENTITY a "b">]>${soap("<cwmp:GetRPCMethods/>")}`, /DOCTYPE and entity declarations are not allowed/],
    [
      `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><cwmp:GetRPCMethods xmlns:cwmp="urn:dslforum-org:cwmp-1-0"/></e:Body></e:Envelope>`,
      /SOAP 1\.2/,
    ],
    ["<foo/>", /root element is <foo>, not a SOAP Envelope/],
    [`<s:Envelope xmlns:s="${NS.env}"><s:Header/></s:Envelope>`, /no Body/],
    [`<s:Envelope xmlns:s="${NS.env}"><s:Body> </s:Body></s:Envelope>`, /no method element/],
    [soap("<cwmp:GetRPCMethods/>") + "<extra/>", /more than one root element/],
    [soap(`<cwmp:GetRPCMethods>${"<a>".repeat(100)}${"</a>".repeat(100)}</cwmp:GetRPCMethods>`), /nested deeper than 64 levels/],
    [soap(`<cwmp:GetRPCMethods>${"x".repeat(4 * 1024 * 1024)}</cwmp:GetRPCMethods>`), /XML too large/],
  ];
  for (const [input, error] of cases) {
    const result = decodeEnvelope(input);
    t.equal(result.ok, false, input.slice(0, 60));
    if (!result.ok) t.match(result.error, error);
  }
});

t.test("never throws: every truncation of a real Inform", async (t) => {
  let failures = 0;
  for (let i = 0; i < CANONICAL_INFORM.length; i += 3) {
    try {
      decodeEnvelope(CANONICAL_INFORM.slice(0, i));
    } catch {
      failures++;
    }
  }
  t.equal(failures, 0);
});
