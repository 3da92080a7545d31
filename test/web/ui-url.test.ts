/**
 * `telegram-logger ui-url`, the real command: the login address from HTTP_HOST and HEALTH_PORT,
 * the token on its own line (never in the URL), from UI_TOKEN or the token file; 66 when there is
 * no token yet.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runCommand } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

function folder(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t, "tl-uiurl-");
  writeFileSync(path.join(dir, "watch.json"), JSON.stringify({ directories: [{ path: dir }] }));
  return { dir, env: { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: path.join(dir, "watch.json") } };
}

describe("ui-url", () => {
  it("prints the login address and, on its own line, UI_TOKEN", (t) => {
    const { dir, env } = folder(t);
    const token = "ui-url-token-0123456789";
    const r = runCommand(dir, ["ui-url"], {
      ...env,
      UI_TOKEN: token,
      HTTP_HOST: "0.0.0.0",
      HEALTH_PORT: "8181",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `http://127.0.0.1:8181/ui/login\n${token}\n`);
  });

  it("reads the token file the service created; 66 before there is one", (t) => {
    const { dir, env } = folder(t);
    const none = runCommand(dir, ["ui-url"], env);
    assert.equal(none.status, 66);
    assert.match(none.stderr, /no UI token yet/);
    assert.equal(none.stdout, "");
    mkdirSync(path.join(dir, "data", "db"), { recursive: true });
    writeFileSync(path.join(dir, "data", "db", "ui-token"), "file-token-abcdefghijklmnop\n", { mode: 0o600 });
    const r = runCommand(dir, ["ui-url"], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "http://127.0.0.1:8080/ui/login\nfile-token-abcdefghijklmnop\n");
    assert.match(runCommand(dir, ["help"]).stdout, /ui-url/);
  });
});
