/**
 * A Docker image built without a Docker daemon, for test/process/docker-image.test.ts. The build
 * context is a checkout minus `.dockerignore`; each stage runs in a folder standing for the image's
 * file system, onto which its absolute paths (/app, /data, /home/node) are rebased. COPY takes only
 * what the context or the named stage holds; RUN runs as the stage's USER (the base image's `node`
 * is uid 1000, switched to with setpriv), exactly as written except `npm cache clean`, which would
 * empty this machine's npm cache that the build shares. The base image is this machine's Node (the
 * same major version as the FROM line) and the `node` user's home. Needs root.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import path from "node:path";
import {
  type DockerIgnore,
  parseDockerfile,
  parseDockerignore,
  parseEnvInstruction,
  type Stage,
} from "./dockerfile.ts";

/** The users of the base image (node:24-bookworm-slim). */
export const USERS: Record<string, { uid: number; home: string }> = {
  root: { uid: 0, home: "/root" },
  node: { uid: 1000, home: "/home/node" },
};

/** The build context: the checkout without what `.dockerignore` leaves out. */
function copyContext(from: string, to: string, ignore: DockerIgnore, rel = ""): void {
  for (const d of readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) {
      if (!ignore.excludes(r) || ignore.mayReinclude(r)) copyContext(from, to, ignore, r);
    } else if (!ignore.excludes(r)) {
      mkdirSync(path.join(to, rel), { recursive: true });
      cpSync(path.join(from, r), path.join(to, r), { verbatimSymlinks: true });
    }
  }
}

/** What a stage has built so far. */
export interface StageState {
  root: string;
  workdir: string;
  user: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

/** An image path inside the stage's folder, when it names something there (so `/health` stays a URL path). */
export function rebase(root: string, value: string): string {
  const top = value.split("/")[1];
  return value.startsWith("/") && top && existsSync(path.join(root, top)) ? path.join(root, value) : value;
}

/** The base image: Node (this machine's, the same major version) and the `node` user's home. */
function baseImage(image: string, root: string): void {
  const major = /^node:(\d+)-/.exec(image)?.[1];
  assert.equal(major, process.versions.node.split(".")[0], `base image ${image} runs this test's Node major`);
  mkdirSync(path.join(root, "usr/local/bin"), { recursive: true });
  const node = path.join(root, "usr/local/bin/node");
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  // The image's node is for everyone; never chmod a link (that would change this machine's node).
  if ((statSync(node).mode & 0o005) !== 0o005) {
    rmSync(node);
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
  }
  mkdirSync(path.join(root, "home/node"), { recursive: true });
  chownSync(path.join(root, "home/node"), USERS.node!.uid, USERS.node!.uid);
}

/** The environment a process of the stage sees: the image's ENV over PATH and HOME. */
export function processEnv(s: StageState, extra: Record<string, string> = {}): Record<string, string> {
  const user = USERS[s.user]!;
  const env: Record<string, string> = {
    PATH: `${path.join(s.root, "usr/local/bin")}:${process.env.PATH ?? ""}`,
    // root keeps this machine's HOME, so npm reuses its cache.
    HOME: user.uid === 0 ? (process.env.HOME ?? "/root") : path.join(s.root, user.home),
  };
  for (const [k, v] of Object.entries({ ...s.env, ...extra })) env[k] = rebase(s.root, v);
  return env;
}

/** How to run `argv` as the stage's user. */
export function asUser(user: string, argv: string[]): string[] {
  const { uid } = USERS[user]!;
  return uid === 0 ? argv : ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--", ...argv];
}

function run(s: StageState, argv: string[]): void {
  const [command, ...args] = asUser(s.user, argv);
  const r = spawnSync(command!, args, {
    cwd: path.join(s.root, s.workdir),
    env: processEnv(s),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `RUN ${argv.join(" ")}:\n${r.stdout}\n${r.stderr}`);
}

/** A shell-form RUN: image paths and `user:group` names mapped; `npm cache clean` left out (see top). */
function shellRun(s: StageState, text: string): void {
  const commands = text
    .split("&&")
    .map((c) => c.trim())
    .filter((c) => !/^npm cache clean\b/.test(c))
    .map((c) =>
      c
        .split(/\s+/)
        .map((w) => {
          if (w.startsWith("/")) return path.join(s.root, w);
          const owner = /^([a-z_]+):([a-z_]+)$/.exec(w);
          return owner && USERS[owner[1]!] && USERS[owner[2]!]
            ? `${USERS[owner[1]!]!.uid}:${USERS[owner[2]!]!.uid}`
            : w;
        })
        .join(" "),
    );
  run(s, ["sh", "-c", commands.join(" && ")]);
}

function copy(s: StageState, args: string[], from: StageState | undefined, context: string): void {
  const sources = args.slice(0, -1);
  const dest = args.at(-1)!;
  const destAbs = path.join(s.root, dest.startsWith("/") ? dest : path.join(s.workdir, dest));
  for (const src of sources) {
    const abs = from ? path.join(from.root, src) : path.join(context, src);
    assert.ok(
      existsSync(abs),
      `COPY ${src}: not in the ${from ? "stage" : "build context (see .dockerignore)"}`,
    );
    // A folder's contents go into the destination; files into it when it ends with / (or several).
    const isDir = statSync(abs).isDirectory();
    const target =
      isDir || !(dest.endsWith("/") || sources.length > 1) ? destAbs : path.join(destAbs, path.basename(src));
    mkdirSync(isDir ? target : path.dirname(target), { recursive: true });
    // Owned by root, as COPY without --chown leaves it (cp: fs.cpSync is ten times slower). What
    // another stage built is hard-linked: the test's own files, never written to afterwards.
    const how = from ? ["-al"] : ["-a", "--no-preserve=ownership"];
    const r = spawnSync("cp", [...how, isDir ? `${abs}/.` : abs, target]);
    assert.equal(r.status, 0, `COPY ${src}: ${r.stderr}`);
  }
}

/** Builds every stage in its own folder under `dir`; returns the last stage. */
function build(stages: Stage[], context: string, dir: string): StageState {
  const built = new Map<string, StageState>();
  let last: StageState | undefined;
  stages.forEach((stage, i) => {
    const s: StageState = {
      root: path.join(dir, `stage-${i}`),
      workdir: "/",
      user: "root",
      env: {},
      entrypoint: [],
      cmd: [],
      healthcheck: [],
    };
    baseImage(stage.image, s.root);
    for (const ins of stage.instructions) {
      const opts = Object.keys(ins.options).filter((o) => !(ins.keyword === "COPY" && o === "from"));
      if (ins.keyword !== "HEALTHCHECK")
        assert.deepEqual(opts, [], `${ins.keyword} options the test cannot emulate: ${opts.join(", ")}`);
      switch (ins.keyword) {
        case "WORKDIR":
          s.workdir = path.posix.resolve(s.workdir, ins.text);
          mkdirSync(path.join(s.root, s.workdir), { recursive: true });
          break;
        case "ENV":
          Object.assign(s.env, parseEnvInstruction(ins.text));
          break;
        case "COPY":
          copy(
            s,
            ins.exec ?? ins.text.split(/\s+/),
            ins.options.from ? built.get(ins.options.from) : undefined,
            context,
          );
          break;
        case "RUN":
          if (ins.exec)
            run(
              s,
              ins.exec.map((a) => rebase(s.root, a)),
            );
          else shellRun(s, ins.text);
          break;
        case "USER":
          assert.ok(USERS[ins.text], `USER ${ins.text}: not a user of the base image`);
          s.user = ins.text;
          break;
        case "ENTRYPOINT":
          s.entrypoint = ins.exec!;
          break;
        case "CMD":
          s.cmd = ins.exec!;
          break;
        case "HEALTHCHECK":
          s.healthcheck = JSON.parse(/^CMD\s+(\[.*\])$/.exec(ins.text)![1]!) as string[];
          break;
        case "VOLUME":
        case "EXPOSE":
        case "STOPSIGNAL":
          break;
        default:
          assert.fail(`the test cannot emulate ${ins.keyword}`);
      }
    }
    built.set(stage.name ?? String(i), s);
    last = s;
  });
  return last!;
}

/** Builds the image of the `Dockerfile` in `checkout` under `dir`; returns its last stage. */
export function buildImage(checkout: string, dir: string): StageState {
  const read = (f: string) => readFileSync(path.join(checkout, f), "utf8");
  const context = path.join(dir, "context");
  copyContext(checkout, context, parseDockerignore(read(".dockerignore")));
  return build(parseDockerfile(read("Dockerfile")), context, path.join(dir, "image"));
}
