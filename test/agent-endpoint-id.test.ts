import t from "tap";
import { encodeInstanceId, endpointIdFor } from "../src/agent/endpoint-id.js";

const id = { manufacturer: "Acme", oui: "00256D", productClass: "Home GW", serialNumber: "0123456789" };

t.test("TR-369 os:: scheme is <OUI>-<SerialNumber>", async (t) => {
  t.equal(endpointIdFor(id, "os"), "os::00256D-0123456789");
});

t.test("TR-369 ops:: scheme is <OUI>-<ProductClass>-<SerialNumber>", async (t) => {
  t.equal(endpointIdFor(id, "ops"), "ops::00256D-Home%20GW-0123456789");
});

t.test("R-ARC.5 characters outside ALPHA DIGIT - . _ are percent-encoded with upper-case hex", async (t) => {
  t.equal(encodeInstanceId("a-b.c_d"), "a-b.c_d");
  t.equal(encodeInstanceId("S/N:1 2"), "S%2FN%3A1%202");
  t.equal(encodeInstanceId("é"), "%C3%A9", "UTF-8 bytes");
  t.equal(endpointIdFor({ ...id, serialNumber: "AB:CD" }, "os"), "os::00256D-AB%3ACD");
});
