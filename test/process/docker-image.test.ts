/**
 * The Docker image, built and run without a Docker daemon (test/support/docker-build.ts: the build
 * context honours `.dockerignore`, every instruction of the Dockerfile runs as written, RUN as the
 * stage's user, the install step with its own flags). Then the ENTRYPOINT and CMD start as the
 * image's `node` user in a network namespace of their own (so port 8080 is the image's own), with
 * the image's ENV overridden by `.env.example` as `docker run --env-file .env` would, and a watched
 * folder (the file audit alone). /health must answer 200 and so must the image's HEALTHCHECK; the
 * image's HTTP_HOST and HEALTH_PORT must hold; the data must land in /data, owned by `node`; the
 * compile cache made at build time must serve the run unchanged; SIGTERM must end it with 0.
 * This proves the production dependencies suffice and nothing the entrypoint needs is left out.
 * It cannot check the base image itself or Docker's layering.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { asUser, buildImage, processEnv, rebase, type StageState, USERS } from "../support/docker-build.ts";
import { parseEnvFile } from "../support/dockerfile.ts";
import { tempDir } from "../support/tmp.ts";

const CHECKOUT = fileURLToPath(new URL("../../", import.meta.url));
const read = (f: string) => readFileSync(path.join(CHECKOUT, f), "utf8");

function missingTools(): string | false {
  if (process.getuid?.() !== 0)
    return "needs root: it switches to the image's uid 1000 (setpriv) and makes a network namespace";
  for (const tool of ["setpriv", "unshare", "nsenter", "ip", "npm"])
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  return false;
}

/** Every file of a folder with its size and modification time. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const st = statSync(path.join(dir, f));
    if (st.isFile()) out.set(f, `${st.size}@${st.mtimeMs}`);
  }
  return out;
}

/** Runs `argv` as the image's user inside the container's network namespace. */
function inContainer(container: ChildProcess, s: StageState, env: Record<string, string>, argv: string[]) {
  const full = ["nsenter", `--net=/proc/${container.pid}/ns/net`, "--", ...asUser(s.user, argv)];
  return spawnSync(full[0]!, full.slice(1), { cwd: path.join(s.root, s.workdir), env, encoding: "utf8" });
}

describe("the Docker image (emulated without a daemon)", () => {
  it("builds from the context, runs as node with production dependencies and answers /health 200", {
    skip: missingTools(),
  }, async (t) => {
    const dir = tempDir(t);
    chmodSync(dir, 0o755);
    const image = buildImage(CHECKOUT, dir);
    assert.equal(image.user, "node", "the service runs as the base image's node user");

    const cache = path.join(image.root, "home/node/.cache/telegram-logger");
    const cacheDirs = readdirSync(cache);
    assert.deepEqual(
      cacheDirs.map((d) => d.split("-").at(-1)),
      ["1000"],
      "compile cache built by the node user",
    );

    // `docker run --env-file .env -e LOG_CHAT_ID= -e WATCH_CONFIG=/watch/watch.json -v …:/watch/projects:ro
    // IMAGE`: the file audit alone. The folder named in the watch config is rebased like every image path.
    const watched = path.join(image.root, "watch/projects");
    mkdirSync(watched, { recursive: true });
    writeFileSync(path.join(watched, "notes.txt"), "kept\n");
    writeFileSync(
      path.join(image.root, "watch/watch.json"),
      JSON.stringify({ directories: [{ path: watched, project: "projects" }] }),
    );
    const runEnv = {
      ...parseEnvFile(read(".env.example")),
      LOG_CHAT_ID: "",
      WATCH_CONFIG: "/watch/watch.json",
      HOSTNAME: "tl-test",
    };
    const env = processEnv(image, runEnv);

    // `node -e` scripts land in the compile cache too: the probe and the HEALTHCHECK run once first (in
    // a network namespace of their own, where nothing answers) to learn their entries, which are then
    // left out of the comparison; every other entry must stay as the image build wrote it.
    const probe = `fetch("http://127.0.0.1:" + process.env.HEALTH_PORT + process.env.HEALTH_PATH).then(async (r) => console.log(r.status, await r.text()), (e) => console.log(0, e.message))`;
    const warmed = snapshot(cache);
    for (const script of [["node", "-e", probe], image.healthcheck])
      spawnSync("unshare", ["--net", "--", ...asUser(image.user, script)], { env });
    const instruments = [...snapshot(cache).keys()].filter((k) => !warmed.has(k));

    const argv = [...image.entrypoint, ...image.cmd].map((a) => rebase(image.root, a));
    const container = spawn(
      "unshare",
      ["--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...asUser(image.user, argv)],
      { cwd: path.join(image.root, image.workdir), env, stdio: ["ignore", "pipe", "pipe"] },
    );
    t.after(() => container.kill("SIGKILL"));
    let output = "";
    container.stdout!.on("data", (d) => (output += d));
    container.stderr!.on("data", (d) => (output += d));
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exited = new Promise<void>((resolve) =>
      container.once("exit", (code, signal) => {
        exit = { code, signal };
        resolve();
      }),
    );

    let status = 0;
    let body: {
      status?: string;
      telegram?: unknown;
      watchers?: { roots: Array<{ state: string }> };
      database?: { ok: boolean };
    } = {};
    for (;;) {
      assert.equal(exit, undefined, `the service exited:\n${output}`);
      const r = inContainer(container, image, env, ["node", "-e", probe]);
      const m = /^(\d+) (.*)$/s.exec(r.stdout.trim());
      status = Number(m?.[1] ?? 0);
      if (status !== 0) body = JSON.parse(m![2]!);
      const logged = output.includes('"msg":"http listening"');
      if (logged && status === 200 && body.watchers?.roots[0]?.state === "ready") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(body.status, "ok");
    assert.deepEqual(body.telegram, { enabled: false });
    assert.equal(body.database?.ok, true);
    const listening = output.split("\n").find((l) => l.includes('"msg":"http listening"'));
    assert.match(
      listening ?? output,
      /"host":"0\.0\.0\.0","port":8080/,
      "the image's HTTP_HOST and HEALTH_PORT hold",
    );

    const check = inContainer(container, image, env, image.healthcheck);
    assert.equal(check.status, 0, `HEALTHCHECK failed: ${check.stderr}`);

    const db = path.join(image.root, "data/db/telegram-logger.sqlite");
    assert.ok(existsSync(db), `the database is in /data:\n${output}`);
    assert.equal(statSync(db).uid, USERS.node!.uid);

    container.kill("SIGTERM");
    await exited;
    assert.deepEqual(exit, { code: 0, signal: null }, output);
    const after = snapshot(cache);
    for (const k of instruments) after.delete(k);
    assert.deepEqual(after, warmed, "the run used the compile cache built with the image");
  });
});
