/**
 * The deployment files say what the README promises (no Docker engine is needed to check these):
 * the image runs as a non-root user on Node 24 with production dependencies only, listens on every
 * interface, checks its health with Node's fetch; compose has the healthcheck, a named volume and a
 * restart policy.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";

const read = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), "utf8");

it("the Dockerfile builds a non-root, production-only Node 24 image with a fetch healthcheck", () => {
  const d = read("Dockerfile");
  assert.equal(
    (d.match(/^FROM node:24-bookworm-slim/gm) ?? []).length,
    2,
    "multi-stage on node:24-bookworm-slim",
  );
  assert.match(d, /npm ci --omit=dev/);
  assert.match(d, /^USER node$/m);
  assert.match(d, /^VOLUME \["\/data"\]$/m);
  assert.match(d, /HTTP_HOST=0\.0\.0\.0/);
  assert.match(d, /^HEALTHCHECK .*\n\s+CMD \["node", "-e", "fetch\(/m);
  assert.match(d, /docker run -it .* login/);
  assert.match(read("package.json"), /"better-sqlite3": false/, "install step denied");
  assert.match(read(".dockerignore"), /^\.env$/m);
});

it("compose.yaml has the healthcheck, a named volume and a restart policy", () => {
  const c = read("compose.yaml");
  assert.match(c, /restart: unless-stopped/);
  assert.match(c, /- tl-data:\/data/);
  assert.match(c, /^volumes:\n {2}tl-data:/m);
  assert.match(c, /healthcheck:\n\s+test:/);
});
