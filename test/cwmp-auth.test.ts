import t from "tap";
import {
  basicChallenge,
  digestChallenge,
  encodeBasic,
  parseAuthorization,
  parseWwwAuthenticate,
  solveDigest,
  verifyBasic,
  verifyDigest,
  type AuthChallenge,
  type DigestCredentials,
} from "../src/cwmp/auth.js";

const RFC2617_CHALLENGE =
  'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
  'opaque="5ccc069c403ebaf9f0171e9517f40e41"';

function firstChallenge(header: string): AuthChallenge {
  const [challenge] = parseWwwAuthenticate(header);
  if (challenge === undefined) throw new Error(`no challenge in ${header}`);
  return challenge;
}

function digestOf(header: string | undefined): DigestCredentials {
  const parsed = header === undefined ? undefined : parseAuthorization(header);
  if (parsed?.scheme !== "Digest") throw new Error(`not a Digest Authorization: ${header}`);
  return parsed;
}

t.test("RFC 2617 §3.5 known-answer vector (Mufasa / Circle Of Life)", async (t) => {
  const header = solveDigest(firstChallenge(RFC2617_CHALLENGE), {
    method: "GET",
    uri: "/dir/index.html",
    username: "Mufasa",
    password: "Circle Of Life",
    cnonce: "0a4f113b",
    nc: 1,
  });
  const auth = digestOf(header);
  t.equal(auth.response, "6629fae49393a05397450978507c4ef1");
  t.equal(auth.qop, "auth", "qop=auth preferred from the offered list");
  t.equal(auth.nc, "00000001");
  t.equal(auth.cnonce, "0a4f113b");
  t.equal(auth.opaque, "5ccc069c403ebaf9f0171e9517f40e41", "opaque echoed (RFC 2617 §3.2.1)");
  t.equal(auth.algorithm, undefined, "algorithm only echoed when the server named it");
});

t.test("TR-069 §3.4.4 round trip: challenge → solve → parse → verify; wrong password fails", async (t) => {
  const challengeHeader = digestChallenge("cwmp2usp", "0123456789abcdef0123456789abcdef", "op\"aque");
  t.equal(
    challengeHeader,
    'Digest realm="cwmp2usp", qop="auth", nonce="0123456789abcdef0123456789abcdef", algorithm=MD5, opaque="op\\"aque"',
  );
  const challenge = firstChallenge(challengeHeader);
  t.equal(challenge.params.opaque, 'op"aque', "backslash escapes in quoted strings");
  const solve = (password: string): DigestCredentials =>
    digestOf(solveDigest(challenge, { method: "POST", uri: "/", username: "202BC1-BM632w-000000", password, cnonce: "abcdef0123456789", nc: 1 }));
  const expected = { method: "POST", password: "s3cret", realm: "cwmp2usp", nonce: "0123456789abcdef0123456789abcdef" };

  const good = solve("s3cret");
  t.equal(good.algorithm, "MD5");
  t.equal(good.opaque, 'op"aque');
  t.equal(verifyDigest(good, expected), true);
  t.equal(verifyDigest(solve("wrong"), expected), false, "wrong password");
  t.equal(verifyDigest(good, { ...expected, nonce: "stale" }), false, "nonce we did not issue");
  t.equal(verifyDigest(good, { ...expected, method: "GET" }), false, "method is part of HA2");
});

t.test("RFC 2617 §3.2.2.2 MD5-sess round trip", async (t) => {
  const challenge = firstChallenge('Digest realm="r", nonce="n1", qop=auth, algorithm=MD5-sess');
  const auth = digestOf(solveDigest(challenge, { method: "GET", uri: "/cr", username: "u", password: "p", cnonce: "c1", nc: 1 }));
  t.equal(auth.algorithm, "MD5-sess");
  t.equal(verifyDigest(auth, { method: "GET", password: "p", realm: "r", nonce: "n1" }), true);
  t.equal(verifyDigest(auth, { method: "GET", password: "x", realm: "r", nonce: "n1" }), false);
});

t.test("RFC 2069 legacy form: no qop in the challenge → no qop, nc or cnonce", async (t) => {
  const header = solveDigest(firstChallenge('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"'), {
    method: "GET",
    uri: "/dir/index.html",
    username: "Mufasa",
    password: "CircleOfLife",
    cnonce: "unused",
    nc: 1,
  });
  t.notMatch(header, /qop|nc=|cnonce/);
  const auth = digestOf(header);
  // RFC 2069 §2.4 example: response = 1949323746fe6a43ef61f9606e7febea
  t.equal(auth.response, "1949323746fe6a43ef61f9606e7febea");
  t.equal(verifyDigest(auth, { method: "GET", password: "CircleOfLife", realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093" }), true);
});

t.test("quirk: unsolvable challenges return undefined (unknown algorithm, qop without auth, no nonce)", async (t) => {
  const req = { method: "GET", uri: "/", username: "u", password: "p", cnonce: "c", nc: 1 };
  t.equal(solveDigest(firstChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256'), req), undefined);
  t.equal(solveDigest(firstChallenge('Digest realm="r", nonce="n", qop="foo"'), req), undefined);
  t.equal(solveDigest(firstChallenge('Digest realm="r"'), req), undefined);
  t.equal(solveDigest(firstChallenge('Basic realm="r"'), req), undefined);
});

t.test("WWW-Authenticate parsing: several challenges, unquoted values, commas in quotes, odd spacing", async (t) => {
  const challenges = parseWwwAuthenticate(
    'Basic realm="a, b" ,  Digest realm=easycwmp,qop="auth,auth-int" ,nonce = "n=1", algorithm=MD5',
  );
  t.strictSame(
    challenges.map((c) => ({ scheme: c.scheme, params: { ...c.params } })),
    [
      { scheme: "Basic", params: { realm: "a, b" } },
      { scheme: "Digest", params: { realm: "easycwmp", qop: "auth,auth-int", nonce: "n=1", algorithm: "MD5" } },
    ],
  );
  t.strictSame(parseWwwAuthenticate(""), []);
  t.strictSame(parseWwwAuthenticate('Digest realm="unterminated').map((c) => c.params.realm), ["unterminated"]);
});

t.test("Authorization parsing: Digest with unquoted params; malformed headers → undefined", async (t) => {
  const auth = parseAuthorization(
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ' +
      'qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  t.ok(auth !== undefined && auth.scheme === "Digest");
  if (auth?.scheme === "Digest") {
    t.equal(
      verifyDigest(auth, { method: "GET", password: "Circle Of Life", realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093" }),
      true,
      "RFC 2617 §3.5 header verifies server-side",
    );
  }
  t.equal(parseAuthorization('Digest realm="r"'), undefined, "missing username/response");
  t.equal(parseAuthorization("Bearer abc"), undefined);
  t.equal(parseAuthorization("Basic bm9jb2xvbg=="), undefined, "Basic without a colon");
});

t.test("RFC 7617 Basic encode, parse and verify", async (t) => {
  const header = encodeBasic("Aladdin", "open sesame");
  t.equal(header, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  const auth = parseAuthorization(header);
  t.strictSame(auth, { scheme: "Basic", username: "Aladdin", password: "open sesame" });
  if (auth?.scheme === "Basic") {
    t.equal(verifyBasic(auth, { username: "Aladdin", password: "open sesame" }), true);
    t.equal(verifyBasic(auth, { username: "Aladdin", password: "open sesame!" }), false);
    t.equal(verifyBasic(auth, { username: "aladdin", password: "open sesame" }), false);
  }
  t.strictSame(parseAuthorization(encodeBasic("u", "pa:ss")), { scheme: "Basic", username: "u", password: "pa:ss" }, "colon in password");
  t.equal(basicChallenge("GenieACS"), 'Basic realm="GenieACS"');
});
