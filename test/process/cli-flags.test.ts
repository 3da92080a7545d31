/**
 * The command line as the CRM file-event service's users typed it (`--config FILE`, `--once`),
 * strict flags (a typo is an error, not ignored) and the help of each command, through the real
 * command.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { pollUntil, runCommand, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";

/** Two watched folders, each with its own watch config, like two CRM installations. */
function twoConfigs(t: TestContext) {
  const dir = tempDir(t);
  for (const name of ["crm", "other"]) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, `${name}.docx`), name);
    writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({ directories: [{ path: name, project: name.toUpperCase() }] }),
    );
  }
  return { dir, crm: path.join(dir, "crm.json"), other: path.join(dir, "other.json") };
}

function watchedRoots(dir: string): string[] {
  const db = new Database(path.join(dir, "data", "db", "telegram-logger.sqlite"), { readonly: true });
  try {
    return (db.prepare("SELECT DISTINCT root FROM file_state ORDER BY root").all() as { root: string }[]).map(
      (r) => r.root,
    );
  } finally {
    db.close();
  }
}

describe("the CRM service's command line", () => {
  it("--config FILE --once is one scan of FILE, which takes precedence over WATCH_CONFIG", (t) => {
    const { dir, crm, other } = twoConfigs(t);
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: other };
    const r = runCommand(dir, ["--config", "crm.json", "--once"], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CRM \(.*crm\): 1 files, baseline recorded/m);
    assert.doesNotMatch(r.stdout, /OTHER/);
    assert.deepEqual(watchedRoots(dir), [path.join(dir, "crm")]);
    const scan = runCommand(dir, ["scan", `--config=${crm}`], { DATA_ROOT: path.join(dir, "data") });
    assert.equal(scan.status, 0, scan.stderr);
    assert.match(scan.stdout, /^CRM \(.*crm\): 1 files, 0 created, 0 modified, 0 deleted, 0 renamed/m);
  });

  it("run --config FILE watches FILE's folders instead of WATCH_CONFIG's", async (t) => {
    const { dir, crm, other } = twoConfigs(t);
    const svc = await startService(dir, { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: other }, [
      "run",
      "--config",
      crm,
    ]);
    t.after(() => svc.child.kill("SIGKILL"));
    const health = await pollUntil(
      svc.url("/health"),
      (status, body) => status === 200 && JSON.parse(body).watchers.roots[0]?.state === "ready",
    );
    assert.deepEqual(JSON.parse(health.body).watchers.roots, [
      { root: path.join(dir, "crm"), state: "ready" },
    ]);
    svc.child.kill("SIGTERM");
    assert.deepEqual(await svc.exited, { code: 0, signal: null });
  });

  it("a --config file that cannot be read exits 78 naming --config", (t) => {
    const dir = tempDir(t);
    for (const args of [
      ["--config", "missing.json", "--once"],
      ["run", "--config", "missing.json"],
    ]) {
      const r = runCommand(dir, args, { DATA_ROOT: path.join(dir, "data") });
      assert.equal(r.status, 78, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^telegram-logger: configuration error: --config: cannot read .*missing\.json/);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });

  it("scan without WATCH_CONFIG or --config names WATCH_CONFIG, not API_ID (78)", (t) => {
    const dir = tempDir(t);
    for (const env of [{}, { LOG_CHAT_ID: "me" }] as Record<string, string>[]) {
      for (const args of [["scan"], ["--once"]]) {
        const r = runCommand(dir, args, env);
        assert.equal(r.status, 78, r.stderr);
        assert.match(r.stderr, /WATCH_CONFIG: is required for scan .*--config FILE/);
        assert.doesNotMatch(r.stderr, /API_ID/);
      }
    }
  });
});

describe("strict flags", () => {
  it("an unknown flag is a usage error naming it (64), wherever it stands", (t) => {
    const dir = tempDir(t);
    for (const [args, flag] of [
      [["--frobnicate"], "--frobnicate"],
      [["scan", "--dry-run"], "--dry-run"],
      [["run", "-x"], "-x"],
      [["login", "--verbose"], "--verbose"],
      [["warm-cache", "--force"], "--force"],
    ] as const) {
      const r = runCommand(dir, [...args]);
      assert.equal(r.status, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^telegram-logger: unknown option ${flag}\\n`));
      assert.match(r.stderr, /Usage: telegram-logger/);
      assert.equal(r.stdout, "");
    }
  });

  it("a flag without its value, or with one it does not take, is a usage error naming it (64)", (t) => {
    const dir = tempDir(t);
    for (const [args, message] of [
      [["scan", "--config"], "--config needs a value"],
      [["--config", "--once"], "--config needs a value"],
      [["--once=yes"], "--once takes no value"],
      [["login", "--once"], "--once (one pass of the watched folders) is not an option of login"],
      [["scan", "watch.json"], 'unexpected argument "watch.json"'],
    ] as const) {
      const r = runCommand(dir, [...args]);
      assert.equal(r.status, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`telegram-logger: ${message}`), r.stderr);
    }
  });

  it("decrypt keeps its own flags", (t) => {
    const dir = tempDir(t);
    const help = runCommand(dir, ["decrypt", "--help"]);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--in FILE\|DIR/);
    const r = runCommand(dir, ["decrypt", "--in", dir, "--out", path.join(dir, "out"), "--force", "--bogus"]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /--bogus/);
  });
});

describe("help", () => {
  it("--help and help list every command and the new flags, needing no configuration", (t) => {
    const dir = tempDir(t);
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const r = runCommand(dir, args);
      assert.equal(r.status, 0, r.stderr);
      for (const word of ["run", "login", "scan", "decrypt", "warm-cache", "help", "--config FILE", "--once"])
        assert.ok(r.stdout.includes(`  ${word}`), `${args[0]} lists ${word}:\n${r.stdout}`);
    }
  });

  it("each command's help says what it does, what it needs and its exit statuses", (t) => {
    const dir = tempDir(t);
    const expected = {
      scan: [
        /^Usage: telegram-logger scan \[--config FILE\]/,
        /WATCH_CONFIG/,
        /0 ok, 1 a watched folder is offline, 64 usage error, 78 configuration/,
      ],
      login: [
        /^Usage: telegram-logger login/,
        /API_ID, API_HASH/,
        /SESSION_FILE/,
        /64 usage error, 78 configuration/,
      ],
      run: [
        /^Usage: telegram-logger \[run\] \[--config FILE\]/,
        /API_ID, API_HASH/,
        /WATCH_CONFIG/,
        /64 usage error, 78 configuration/,
      ],
    };
    for (const [command, patterns] of Object.entries(expected)) {
      for (const args of [
        [command, "--help"],
        ["help", command],
      ]) {
        const r = runCommand(dir, args);
        assert.equal(r.status, 0, r.stderr);
        for (const p of patterns) assert.match(r.stdout, p, `${args.join(" ")}:\n${r.stdout}`);
        assert.doesNotMatch(r.stdout, /^Commands:/m, "that command's help, not the general one");
      }
    }
  });
});
