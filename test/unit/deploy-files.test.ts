/**
 * The deployment files say what the README promises (no Docker engine is needed to check these):
 * the image runs as a non-root user on Node 24 with production dependencies only, listens on every
 * interface, checks its health with Node's fetch; compose keeps that healthcheck and has a named
 * volume and a restart policy. test/process/docker-image.test.ts builds and runs the image's steps.
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
  assert.match(d, /npm ci --omit=dev --ignore-scripts/, "no dependency compiles anything");
  assert.match(d, /^USER node$/m);
  assert.match(d, /^VOLUME \["\/data"\]$/m);
  assert.match(d, /HTTP_HOST=0\.0\.0\.0/);
  assert.match(d, /^HEALTHCHECK .*\n\s+CMD \["node", "-e", "fetch\(/m);
  assert.match(d, /docker run -it .* login/);
  assert.match(read("package.json"), /"better-sqlite3": false/, "install step denied");
  assert.match(read(".dockerignore"), /^\.env$/m);
});

it("compose.yaml keeps the image's healthcheck and settings, with a named volume and a restart policy", () => {
  const c = read("compose.yaml");
  assert.match(c, /restart: unless-stopped/);
  assert.match(c, /- tl-data:\/data/);
  assert.match(c, /^volumes:\n {2}tl-data:/m);
  // An override here once parsed as a mapping (an unquoted ": " inside the command), not a command.
  assert.doesNotMatch(
    c,
    /^\s*healthcheck:/m,
    "the image's HEALTHCHECK, which follows HEALTH_PORT and HEALTH_PATH",
  );
  assert.match(c, /environment:\n\s+DATA_ROOT: \/data\n\s+HTTP_HOST: 0\.0\.0\.0/, "over values from .env");
});
