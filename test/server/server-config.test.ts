import assert from "node:assert/strict";
import { test } from "node:test";
import { RateLimiter } from "../../src/server/rate-limiter.js";
import { DEFAULT_SERVER_CONFIG, parseServerConfig } from "../../src/server/server-config.js";

void test("defaults listen on 127.0.0.1:7070; the file is overridden by the environment", () => {
  assert.equal(parseServerConfig(null, {}).port, 7070);
  assert.equal(parseServerConfig(null, {}).host, "127.0.0.1");
  const c = parseServerConfig(
    { text: '{"port": 8080, "anchorIntervalMs": 500}', path: "s.json" },
    { VIGIL_PORT: "9090" },
  );
  assert.equal(c.port, 9090);
  assert.equal(c.anchorIntervalMs, 500);
  assert.deepEqual(c.rateLimit, DEFAULT_SERVER_CONFIG.rateLimit);
});

void test("every bad setting is reported at once, naming the file", () => {
  assert.throws(
    () =>
      parseServerConfig(
        { text: '{"port": -1, "portt": 1, "rateLimit": {"perSecond": 0}}', path: "s.json" },
        { VIGIL_HOST: "a b" },
      ),
    (e: Error) => {
      for (const w of ["s.json", "port must", 'unknown setting "portt"', "rateLimit must", "host must"])
        assert.ok(e.message.includes(w), `${w} in ${e.message}`);
      return true;
    },
  );
  assert.throws(() => parseServerConfig({ text: "{", path: "s.json" }, {}), /s.json: not JSON/);
  assert.throws(() => parseServerConfig(null, { VIGIL_PORT: "http" }), /port must/);
});

void test("rate limiter: a burst, then the sustained rate; each key has its own bucket", () => {
  const r = new RateLimiter(10, 3);
  assert.deepEqual(
    [0, 1, 2, 3].map(() => r.take("a", 1000)),
    [0, 0, 0, 1],
  );
  assert.equal(r.take("b", 1000), 0, "another token is not affected");
  assert.equal(r.take("a", 1050), 1, "half a request refilled is not a request");
  assert.equal(r.take("a", 1100), 0, "100 ms at 10/s refills one");
});
