/**
 * Running the project's own code as an unprivileged user (uid/gid 65534, through `setpriv`) from
 * tests run as root, so permissions bite. That user may be unable to reach Node (under /root) or
 * the checkout itself (a clone under a 0700 folder such as `mktemp -d`'s): the runner gives it a
 * Node binary and the project's files where it can read them — in place when it already can,
 * otherwise hard-linked (copied across file systems) into one temp folder per test process.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The unprivileged user and group. */
export const NOBODY = 65534;
/** Whether the tests run as root (then permissions are only tested as `NOBODY`). */
export const isRoot = process.getuid?.() === 0;

const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
/** What the project's code needs to run: its sources, migrations, packages and test helpers. */
const NEEDED = ["package.json", "src", "drizzle", "node_modules", "test"];
const SETPRIV = ["--reuid=65534", "--regid=65534", "--clear-groups"];

/** Whether this machine can run a command as `NOBODY` (always true when not root). */
export function canDropPrivileges(): boolean {
  return !isRoot || spawnSync("setpriv", [...SETPRIV, "true"]).status === 0;
}

/** How to run a project file with Node as the unprivileged user. */
export interface UnprivilegedRunner {
  /** `rel` (relative to the project root) where that user can read it. */
  path(rel: string): string;
  /** The command and arguments that run `node <project file rel> ...args` as that user. */
  command(rel: string, args: string[]): [string, string[]];
}

let shared: { node: string; project: string } | undefined;

function linkOrCopy(from: string, to: string): void {
  if (spawnSync("cp", ["-al", from, to]).status !== 0)
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

/** Node and the project where `NOBODY` can reach them (made once per test process). */
function reachable(): { node: string; project: string } {
  if (shared) return shared;
  const dir = mkdtempSync(path.join(tmpdir(), "tl-nobody-"));
  chmodSync(dir, 0o755);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const node = path.join(dir, "node");
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
    // Never chmod a hard link: that would change this machine's node.
    chmodSync(node, 0o755);
  }
  const main = path.join(PROJECT, "src", "main.ts");
  let project = PROJECT;
  if (spawnSync("setpriv", [...SETPRIV, "test", "-r", main]).status !== 0) {
    project = path.join(dir, "project");
    mkdirSync(project);
    for (const name of NEEDED) linkOrCopy(path.join(PROJECT, name), path.join(project, name));
  }
  shared = { node, project };
  return shared;
}

/** A runner for this machine: as `NOBODY` through `setpriv` when root, else as the current user. */
export function unprivilegedRunner(): UnprivilegedRunner {
  if (!isRoot) {
    return {
      path: (rel) => path.join(PROJECT, rel),
      command: (rel, args) => [process.execPath, [path.join(PROJECT, rel), ...args]],
    };
  }
  const { node, project } = reachable();
  return {
    path: (rel) => path.join(project, rel),
    command: (rel, args) => ["setpriv", [...SETPRIV, node, path.join(project, rel), ...args]],
  };
}
