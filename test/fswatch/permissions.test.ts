/**
 * Unreadable paths, for real. Tests usually run as root, which reads everything, so the audit runs
 * as an unprivileged user (uid/gid 65534 through `setpriv`) when the tests run as root, and as the
 * current user otherwise; in both cases a folder and a file of mode 000 owned by someone else (or
 * by a non-root user itself) cannot be read. Each must give one `file.error` row (status `error`,
 * its path, the reason) while every other file is recorded.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { tempDir } from "../support/tmp.ts";
import { canDropPrivileges, isRoot, NOBODY, unprivilegedRunner } from "../support/unprivileged.ts";
import { spawnFileAuditService, waitFor, writeWatchConfig } from "./support.ts";

interface Setup {
  dir: string;
  docs: string;
  dbFile: string;
  /** The command and arguments that run `node src/main.ts …args` as the unprivileged user. */
  command(args: string[]): [string, string[]];
  /** Gives read access back so the temp folder can be removed (needed when not root). */
  unlock(): void;
}

/** A temp folder the unprivileged user can enter, with a data folder that user can write. */
function setup(t: TestContext): Setup {
  const dir = tempDir(t, "tl-perm-");
  chmodSync(dir, 0o755);
  const docs = path.join(dir, "docs");
  mkdirSync(docs);
  const data = path.join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  if (isRoot) chownSync(data, NOBODY, NOBODY);
  const runner = unprivilegedRunner();
  return {
    dir,
    docs,
    dbFile: path.join(data, "db", "telegram-logger.sqlite"),
    command: (args) => runner.command("src/main.ts", args),
    unlock: () => {},
  };
}

/** Makes `p` unreadable for the audit (mode 000), remembering to give access back. */
function lock(s: Setup, p: string): void {
  chmodSync(p, 0);
  const prev = s.unlock;
  s.unlock = () => {
    if (existsSync(p)) chmodSync(p, 0o755);
    prev();
  };
}

interface Row {
  type: string;
  status: string;
  path: string;
  error: string | null;
  checksum: string | null;
  details: Record<string, unknown>;
}

function fsRows(dbFile: string, where = "1 = 1"): Row[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (
      db
        .prepare(
          `SELECT type, status, path, error, checksum, details FROM events WHERE source = 'fs' AND ${where} ORDER BY id`,
        )
        .all() as Array<Omit<Row, "details"> & { details: string }>
    ).map((r) => ({ ...r, details: JSON.parse(r.details) }));
  } finally {
    db.close();
  }
}

describe("unreadable paths, as an unprivileged user", () => {
  it("scan records an error for an unreadable folder and an unreadable file, and every other file", (t) => {
    if (!canDropPrivileges()) {
      t.skip("running as root without a working setpriv: cannot run the audit unprivileged");
      return;
    }
    const s = setup(t);
    writeFileSync(path.join(s.docs, "ok.txt"), "readable");
    mkdirSync(path.join(s.docs, "sub"));
    writeFileSync(path.join(s.docs, "sub", "also-ok.txt"), "readable too");
    mkdirSync(path.join(s.docs, "locked"));
    writeFileSync(path.join(s.docs, "locked", "inside.txt"), "hidden");
    lock(s, path.join(s.docs, "locked"));
    writeFileSync(path.join(s.docs, "secret.txt"), "secret");
    lock(s, path.join(s.docs, "secret.txt"));
    writeWatchConfig(path.join(s.dir, "watch.json"), {
      directories: [{ path: "docs", compute_checksum: true, emit_on_start: true }],
    });
    const [cmd, args] = s.command(["scan"]);
    const r = spawnSync(cmd, args, {
      cwd: s.dir,
      env: {
        PATH: process.env.PATH ?? "",
        DATA_ROOT: path.join(s.dir, "data"),
        WATCH_CONFIG: path.join(s.dir, "watch.json"),
        LOG_LEVEL: "warn",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    s.unlock();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3 files, 3 created, .* 2 skipped or unreadable/);

    const errors = fsRows(s.dbFile, "type = 'file.error'");
    assert.deepEqual(errors.map((e) => [e.status, path.relative(s.docs, e.path)]).sort(), [
      ["error", "locked"],
      ["error", "secret.txt"],
    ]);
    for (const e of errors) {
      assert.match(e.error!, /^EACCES: permission denied/);
      assert.equal(e.details.reason, e.error);
    }
    const created = fsRows(s.dbFile, "type = 'file.created'");
    assert.deepEqual(created.map((e) => path.relative(s.docs, e.path)).sort(), [
      "ok.txt",
      "secret.txt",
      "sub/also-ok.txt",
    ]);
    const secret = created.find((e) => e.path.endsWith("secret.txt"))!;
    assert.equal(secret.checksum, null);
    assert.match(String(secret.details.checksumError), /EACCES/);
    assert.match(created.find((e) => e.path.endsWith("ok.txt"))!.checksum!, /^[0-9a-f]{64}$/);
  });

  it("scan: the files of a folder that became unreadable are unknown, not deleted", (t) => {
    if (!canDropPrivileges()) {
      t.skip("running as root without a working setpriv: cannot run the audit unprivileged");
      return;
    }
    const s = setup(t);
    t.after(() => s.unlock());
    mkdirSync(path.join(s.docs, "sub"));
    writeFileSync(path.join(s.docs, "sub", "inside.txt"), "known, then behind a locked folder");
    writeFileSync(path.join(s.docs, "ok.txt"), "readable");
    writeWatchConfig(path.join(s.dir, "watch.json"), { directories: [{ path: "docs" }] });
    const scan = () => {
      const [cmd, args] = s.command(["scan"]);
      const r = spawnSync(cmd, args, {
        cwd: s.dir,
        env: {
          PATH: process.env.PATH ?? "",
          DATA_ROOT: path.join(s.dir, "data"),
          WATCH_CONFIG: path.join(s.dir, "watch.json"),
          LOG_LEVEL: "warn",
        },
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
    };
    scan();
    lock(s, path.join(s.docs, "sub"));
    scan();
    assert.deepEqual(fsRows(s.dbFile, "type = 'file.deleted'"), []);
    assert.deepEqual(
      fsRows(s.dbFile, "type = 'file.error'").map((e) => path.relative(s.docs, e.path)),
      ["sub"],
    );
    s.unlock();
    scan();
    assert.deepEqual(fsRows(s.dbFile, "type IN ('file.deleted', 'file.created')"), []);
  });

  it("the running service records an error for a folder and a file made unreadable while it watches", async (t) => {
    if (!canDropPrivileges()) {
      t.skip("running as root without a working setpriv: cannot run the audit unprivileged");
      return;
    }
    const s = setup(t);
    t.after(() => s.unlock());
    writeFileSync(path.join(s.docs, "before.txt"), "there at start");
    writeWatchConfig(path.join(s.dir, "watch.json"), {
      settle_ms: 100,
      directories: [{ path: "docs", compute_checksum: true }],
    });
    const [cmd, args] = s.command(["run"]);
    const svc = spawnFileAuditService(t, s.dir, cmd, args);
    await waitFor(() => svc.output().includes('"msg":"reconciled"'), {
      what: "the baseline scan",
      timeoutMs: 30_000,
    });

    const count = (type: string) => fsRows(s.dbFile, `type = '${type}'`).length;
    const explain = (err: Error) => {
      throw new Error(`${err.message}; rows: ${JSON.stringify(fsRows(s.dbFile))}\n${svc.output()}`);
    };
    // Made with mode 000 from the start: there is no moment when they are readable. The file
    // first, alone: the folder's error would start a reconcile pass that also finds the file.
    writeFileSync(path.join(s.docs, "secret.txt"), "secret", { mode: 0 });
    lock(s, path.join(s.docs, "secret.txt"));
    writeFileSync(path.join(s.docs, "ok.txt"), "readable");
    await waitFor(() => count("file.error") >= 1 && count("file.created") >= 2, {
      what: "the file's error and 2 created rows",
      timeoutMs: 30_000,
    }).catch(explain);
    mkdirSync(path.join(s.docs, "locked"), { mode: 0 });
    lock(s, path.join(s.docs, "locked"));
    await waitFor(() => count("file.error") >= 2, { what: "the folder's error", timeoutMs: 30_000 }).catch(
      explain,
    );
    const rows = fsRows(s.dbFile);
    const errors = rows.filter((r) => r.type === "file.error");
    assert.deepEqual(errors.map((e) => [e.status, path.relative(s.docs, e.path)]).sort(), [
      ["error", "locked"],
      ["error", "secret.txt"],
    ]);
    for (const e of errors) assert.match(e.error!, /^EACCES: permission denied/);
    assert.deepEqual(
      rows
        .filter((r) => r.type === "file.created")
        .map((r) => [path.relative(s.docs, r.path), r.checksum === null])
        .sort(),
      [
        ["ok.txt", false],
        ["secret.txt", true],
      ],
    );
    // The rest keeps working.
    writeFileSync(path.join(s.docs, "after.txt"), "still watched");
    await waitFor(() => fsRows(s.dbFile, "type = 'file.created'").some((r) => r.path.endsWith("after.txt")), {
      what: "a file made after the errors",
    });
    assert.equal(fsRows(s.dbFile, "type = 'file.error'").length, 2, "each problem once");
  });
});
