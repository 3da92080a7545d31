/**
 * The shipped systemd unit passes `systemd-analyze verify` and scores at most 2.0 ("OK") in
 * `systemd-analyze security`. Skipped, saying why, where systemd's tools are not installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { it } from "node:test";
import { tempDir } from "../support/tmp.ts";

const UNIT = new URL("../../telegram-logger.service", import.meta.url);
const hasAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;
const skip = hasAnalyze ? false : "systemd-analyze is not installed (apt-get install systemd)";

/** The unit under a temp dir, with its commands pointing at this machine's node so verify can find it. */
function unitCopy(dir: string): string {
  const file = path.join(dir, "telegram-logger.service");
  writeFileSync(file, readFileSync(UNIT, "utf8").replaceAll("/usr/bin/node ", `${process.execPath} `));
  return file;
}

it("the systemd unit passes systemd-analyze verify", { skip }, (t) => {
  const r = spawnSync("systemd-analyze", ["verify", unitCopy(tempDir(t))], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), "", "no warnings");
});

it("the systemd unit scores at most 2.0 in systemd-analyze security", { skip }, (t) => {
  const r = spawnSync("systemd-analyze", ["security", "--offline=true", unitCopy(tempDir(t))], {
    encoding: "utf8",
  });
  const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]} > 2.0`);
  assert.doesNotMatch(readFileSync(UNIT, "utf8"), /^MemoryDenyWriteExecute=/m, "kills Node's JIT");
  assert.match(readFileSync(UNIT, "utf8"), /^RestartPreventExitStatus=78$/m);
});
