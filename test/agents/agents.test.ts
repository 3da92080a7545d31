/**
 * Remote file agents end to end, with a real `nats-server` (JetStream) and the real commands as
 * processes: `telegram-logger agent` on each "machine" (its own data folder and watched folder) and
 * `telegram-logger run` with only NATS_URL as the recorder. The ground truth is what the test did
 * to the files; the assertions read the recorder's `events` table.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { describe, it, type TestContext } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, nanos } from "@nats-io/transport-node";
import Database from "better-sqlite3";
import {
  type AgentProcess,
  agentEvents,
  type RecordedEvent,
  startAgentProcess,
} from "../support/agent-process.ts";
import { NatsServer, skipWithoutNats } from "../support/nats-server.ts";
import { runCommand, type Service, startService } from "../support/service.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait-for.ts";

/** One agent's machine: its watched folder, data folder and watch config. */
interface Machine {
  id: string;
  watched: string;
  env: Record<string, string>;
}

function machine(dir: string, id: string, nats: NatsServer): Machine {
  const watched = path.join(dir, id, "watched");
  mkdirSync(watched, { recursive: true });
  const watchConfig = path.join(dir, id, "watch.json");
  writeFileSync(
    watchConfig,
    JSON.stringify({
      settle_ms: 100,
      rename_window_ms: 300,
      directories: [{ path: watched, project: `project-${id}`, username: `user-${id}`, important: ["*.md"] }],
    }),
  );
  return {
    id,
    watched,
    env: {
      NATS_URL: nats.url,
      AGENT_ID: id,
      WATCH_CONFIG: watchConfig,
      DATA_ROOT: path.join(dir, id, "data"),
    },
  };
}

/** The recorder: `run` with NATS_URL and nothing else to do. */
function startRecorder(dir: string, nats: NatsServer): Promise<Service> {
  return startService(dir, { NATS_URL: nats.url, DATA_ROOT: path.join(dir, "central") });
}

const centralDb = (dir: string) => path.join(dir, "central", "db", "telegram-logger.sqlite");

/** A count read from `m`'s own database (read-only, beside the running agent). */
function agentCount(m: Machine, table: "agent_outbox" | "file_state"): number {
  const db = new Database(path.join(m.env.DATA_ROOT!, "db", "telegram-logger.sqlite"), { readonly: true });
  try {
    db.pragma("busy_timeout = 2000");
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** How many events wait in `m`'s outbox. */
const backlog = (m: Machine) => agentCount(m, "agent_outbox");
/** How many files `m`'s snapshot holds. */
const agentFiles = (m: Machine) => agentCount(m, "file_state");

/** Writes `n` files named `<prefix>-<i>.txt` into `folder`; returns their paths. */
function writeFiles(folder: string, prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const file = path.join(folder, `${prefix}-${i}.txt`);
    writeFileSync(file, `${prefix} ${i}`);
    out.push(file);
  }
  return out;
}

/** Asserts every path of `expected` has exactly one `type` event of `agent`, and there is no other. */
function exactlyOnce(dir: string, agent: string, type: string, expected: string[]): void {
  const got = of(agentEvents(centralDb(dir)), agent)
    .filter((e) => e.type === type)
    .map((e) => e.path!);
  const counts = new Map<string, number>();
  for (const p of got) counts.set(p, (counts.get(p) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([p]) => p);
  const lost = expected.filter((p) => !counts.has(p));
  const stray = got.filter((p) => !expected.includes(p));
  assert.deepEqual(
    { lost: lost.length, twice: twice.length, stray: stray.length },
    { lost: 0, twice: 0, stray: 0 },
    JSON.stringify({ lost: lost.slice(0, 5), twice: twice.slice(0, 5), stray: stray.slice(0, 5) }),
  );
}

function of(events: RecordedEvent[], agent: string): RecordedEvent[] {
  return events.filter((e) => e.details.agent === agent);
}

/** Waits until `agent` has `n` events of `type` recorded centrally. */
async function recorded(dir: string, agent: string, type: string, n: number): Promise<void> {
  await waitFor(() => of(agentEvents(centralDb(dir)), agent).filter((e) => e.type === type).length >= n, {
    timeoutMs: 300_000,
    what: `${n} ${type} events of ${agent}`,
  });
}

/** Kills what is still running when the test ends; prints their logs when it failed. */
async function stopAll(t: TestContext, procs: (AgentProcess | Service)[]): Promise<void> {
  t.after(async () => {
    for (const p of procs) p.child.kill("SIGKILL");
    if (process.env.AGENT_TEST_LOGS)
      for (const p of procs)
        process.stderr.write(`--- ${p.child.spawnargs.join(" ")}\n${p.lines.join("\n")}\n${p.stderr()}\n`);
  });
}

describe("remote file agents over NATS JetStream", { skip: skipWithoutNats }, () => {
  it("two agents and a recorder: creates, modifications with diffs, renames of files and folders, deletions arrive once each, with agent, project and both timestamps", async (t) => {
    const dir = tempDir(t);
    const nats = await NatsServer.start(t);
    const started = Date.now();
    const recorder = await startRecorder(dir, nats);
    const machines = [machine(dir, "alpha", nats), machine(dir, "beta", nats)];
    const agents = await Promise.all(machines.map((m) => startAgentProcess(dir, m.env)));
    await stopAll(t, [recorder, ...agents]);

    const each = async (step: (m: Machine) => void, type: string, n: number) => {
      for (const m of machines) step(m);
      for (const m of machines) await recorded(dir, m.id, type, n);
    };
    await each(
      (m) => {
        mkdirSync(path.join(m.watched, "docs"));
        writeFileSync(path.join(m.watched, "docs", "notes.md"), `# ${m.id}\nline 1\n`);
        writeFileSync(path.join(m.watched, "docs", "b.txt"), "b");
        writeFileSync(path.join(m.watched, "a.txt"), "a");
      },
      "file.created",
      3,
    );
    await each(
      (m) => appendFileSync(path.join(m.watched, "docs", "notes.md"), "line 2\n"),
      "file.modified",
      1,
    );
    await each(
      (m) => renameSync(path.join(m.watched, "a.txt"), path.join(m.watched, "c.txt")),
      "file.renamed",
      1,
    );
    await each(
      (m) => renameSync(path.join(m.watched, "docs"), path.join(m.watched, "papers")),
      "file.renamed",
      2,
    );
    await each((m) => rmSync(path.join(m.watched, "c.txt")), "file.deleted", 1);

    const all = agentEvents(centralDb(dir));
    const finished = Date.now();
    for (const m of machines) {
      const mine = of(all, m.id);
      const w = (rel: string) => path.join(m.watched, rel);
      assert.deepEqual(
        mine.map((e) => [e.type, e.path]).sort(),
        [
          ["file.created", w("a.txt")],
          ["file.created", w("docs/b.txt")],
          ["file.created", w("docs/notes.md")],
          ["file.deleted", w("c.txt")],
          ["file.modified", w("docs/notes.md")],
          ["file.renamed", w("c.txt")],
          ["file.renamed", w("papers")],
        ].sort(),
        JSON.stringify(mine, null, 1),
      );
      for (const e of mine) {
        assert.equal(e.project, `project-${m.id}`);
        assert.equal(e.username, `user-${m.id}`);
        assert.equal(e.details.host, hostname());
        assert.equal(e.details.root, m.watched);
        assert.ok(
          started <= e.occurredAt && e.occurredAt <= e.recordedAt && e.recordedAt <= finished,
          JSON.stringify(e),
        );
      }
      const modified = mine.find((e) => e.type === "file.modified")!;
      assert.match(String(modified.details.diff), /\+line 2/);
      const folder = mine.find((e) => e.path === w("papers"))!;
      assert.equal(folder.details.oldPath, w("docs"));
      assert.equal(folder.details.kind, "directory");
      assert.equal(new Set(mine.map((e) => e.details.agentSeq)).size, mine.length);
    }
    await Promise.all(agents.map((a) => a.stop()));
    recorder.child.kill("SIGTERM");
    assert.equal((await recorder.exited).code, 0);
  });
});

describe("remote file agents: faults", { skip: skipWithoutNats }, () => {
  it("the broker killed (kill -9) in the middle of a burst of 3,000 files and restarted: 0 lost, 0 duplicated", async (t) => {
    const dir = tempDir(t);
    const nats = await NatsServer.start(t);
    const recorder = await startRecorder(dir, nats);
    const m = machine(dir, "burst", nats);
    const agent = await startAgentProcess(dir, m.env);
    await stopAll(t, [recorder, agent]);

    const files = writeFiles(m.watched, "f", 0, 1_500);
    // Killed while events flow: some are recorded, more are in flight or waiting in the outbox.
    await recorded(dir, m.id, "file.created", 1);
    await nats.kill();
    files.push(...writeFiles(m.watched, "f", 1_500, 3_000));
    await new Promise((r) => setTimeout(r, 1_000));
    await nats.restart();
    await recorded(dir, m.id, "file.created", files.length);
    await waitFor(() => backlog(m) === 0, { timeoutMs: 300_000, what: "the agent's outbox to empty" });
    exactlyOnce(dir, m.id, "file.created", files);
  });

  it("an agent killed (kill -9) in the middle of a burst and restarted: its reconcile finds the rest, nothing twice", async (t) => {
    const dir = tempDir(t);
    const nats = await NatsServer.start(t);
    const recorder = await startRecorder(dir, nats);
    const m = machine(dir, "crashy", nats);
    let agent = await startAgentProcess(dir, m.env);
    const procs: (AgentProcess | Service)[] = [recorder, agent];
    await stopAll(t, procs);

    const files = writeFiles(m.watched, "k", 0, 2_000);
    await recorded(dir, m.id, "file.created", 1);
    agent.child.kill("SIGKILL");
    await agent.exited;
    files.push(...writeFiles(m.watched, "k", 2_000, 2_500));
    agent = await startAgentProcess(dir, m.env);
    procs.push(agent);
    await recorded(dir, m.id, "file.created", files.length);
    await waitFor(() => backlog(m) === 0, { timeoutMs: 300_000, what: "the agent's outbox to empty" });
    exactlyOnce(dir, m.id, "file.created", files);
  });

  it("the recorder stopped while an agent works, then started again: everything arrives, once", async (t) => {
    const dir = tempDir(t);
    const nats = await NatsServer.start(t);
    let recorder = await startRecorder(dir, nats);
    const m = machine(dir, "busy", nats);
    const agent = await startAgentProcess(dir, m.env);
    const procs: (AgentProcess | Service)[] = [recorder, agent];
    await stopAll(t, procs);

    const before = writeFiles(m.watched, "before", 0, 50);
    await recorded(dir, m.id, "file.created", before.length);
    recorder.child.kill("SIGTERM");
    assert.equal((await recorder.exited).code, 0);

    const during = writeFiles(m.watched, "during", 0, 300);
    for (const f of before.slice(0, 20)) rmSync(f);
    // The agent sees every change and publishes it into the stream while nobody records.
    await waitFor(() => agentFiles(m) === 330 && backlog(m) === 0, {
      timeoutMs: 300_000,
      what: "the agent to see and publish every change",
    });
    recorder = await startRecorder(dir, nats);
    procs.push(recorder);
    await recorded(dir, m.id, "file.created", before.length + during.length);
    await recorded(dir, m.id, "file.deleted", 20);
    exactlyOnce(dir, m.id, "file.created", [...before, ...during]);
    exactlyOnce(dir, m.id, "file.deleted", before.slice(0, 20));
  });

  it("an AUDIT stream that exists with other settings is reported, left as it is, and used", async (t) => {
    const dir = tempDir(t);
    const nats = await NatsServer.start(t);
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "AUDIT", subjects: ["audit.fs.>"], max_age: nanos(3_600_000) });
    const recorder = await startRecorder(dir, nats);
    const m = machine(dir, "sized", nats);
    const agent = await startAgentProcess(dir, m.env);
    await stopAll(t, [recorder, agent]);
    const files = writeFiles(m.watched, "s", 0, 10);
    await recorded(dir, m.id, "file.created", files.length);
    const warning = recorder.lines.find((l) => l.includes("exists with other settings"));
    assert.ok(warning, recorder.lines.join("\n"));
    assert.match(warning, /max_age/);
    assert.equal((await jsm.streams.info("AUDIT")).config.max_age, nanos(3_600_000));
    await nc.close();
  });

  it("credentials the server refuses: the agent exits 78 naming NATS_USER, without the password", async (t) => {
    const dir = tempDir(t);
    const nats = await NatsServer.start(t, ["--user", "agent", "--pass", "right-password"]);
    const m = machine(dir, "locked", nats);
    const r = runCommand(dir, ["agent"], { ...m.env, NATS_USER: "agent", NATS_PASSWORD: "wrong-password" });
    assert.equal(r.status, 78, r.stderr + r.stdout);
    assert.match(r.stderr, /NATS_USER/);
    assert.doesNotMatch(r.stderr + r.stdout, /wrong-password/);
  });
});

describe("agent settings", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["no NATS_URL", { WATCH_CONFIG: "/tmp/watch.json" }, "NATS_URL"],
    [
      "NATS_URL not a NATS address",
      { NATS_URL: "http://127.0.0.1:4222", WATCH_CONFIG: "/tmp/w.json" },
      "NATS_URL",
    ],
    [
      "AGENT_ID not a subject token",
      { NATS_URL: "nats://127.0.0.1:1", AGENT_ID: "a.b", WATCH_CONFIG: "/tmp/w.json" },
      "AGENT_ID",
    ],
    ["no watch config", { NATS_URL: "nats://127.0.0.1:1" }, "WATCH_CONFIG"],
    [
      "a user without a password",
      { NATS_URL: "nats://127.0.0.1:1", NATS_USER: "u", WATCH_CONFIG: "/tmp/w.json" },
      "NATS_PASSWORD",
    ],
    [
      "a token and a user",
      {
        NATS_URL: "nats://127.0.0.1:1",
        NATS_USER: "u",
        NATS_TOKEN: "secret-token-value",
        WATCH_CONFIG: "/tmp/w.json",
      },
      "NATS_TOKEN",
    ],
  ];
  for (const [name, env, variable] of cases) {
    it(`${name}: exit 78 naming ${variable}`, (t) => {
      const r = runCommand(tempDir(t), ["agent"], env);
      assert.equal(r.status, 78, r.stderr);
      assert.match(r.stderr, new RegExp(`configuration error: ${variable}:`));
      assert.doesNotMatch(r.stderr, /secret-token-value/);
    });
  }

  it("run with a NATS setting but no NATS_URL: exit 78 naming NATS_URL", (t) => {
    const r = runCommand(tempDir(t), ["run"], {
      NATS_TOKEN: "secret-token-value",
      WATCH_CONFIG: "/tmp/w.json",
    });
    assert.equal(r.status, 78, r.stderr);
    assert.match(r.stderr, /configuration error: NATS_URL:/);
  });
});
