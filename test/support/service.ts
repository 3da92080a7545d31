/**
 * Starts the real command (`node src/main.ts run`) as a child process on a free port and reads its
 * JSON log lines, so process tests can talk to it over HTTP, signal it and watch it exit.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** What a finished command printed and how it ended. */
export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command to its end with exactly `env` (plus PATH), no terminal, in `cwd`. */
export function runCommand(cwd: string, args: string[], env: Record<string, string> = {}): CommandResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    input: "",
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** A running service process. */
export interface Service {
  child: ChildProcess;
  port: number;
  /** Every stdout line so far (JSON log lines). */
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url(path: string): string;
}

/** Spawns the service with exactly `env` (plus PATH) in `cwd`; resolves once HTTP listens. */
export function startService(cwd: string, env: Record<string, string>, args = ["run"]): Promise<Service> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HEALTH_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "http listening" && entry.port) {
          const port = entry.port;
          resolve({
            child,
            port,
            lines,
            stderr: () => stderr,
            exited,
            url: (p) => `http://127.0.0.1:${port}${p}`,
          });
        }
      } catch {
        // not a JSON line: kept in `lines` for the assertion messages
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`service exited (${code ?? signal}) before listening: ${stderr}${lines.join("\n")}`)),
    );
  });
}

/** Polls `url` until `done(status, body)` holds; the caller's test timeout bounds the wait. */
export async function pollUntil(
  url: string,
  done: (status: number, body: string) => boolean,
): Promise<{ status: number; body: string }> {
  for (;;) {
    const res = await fetch(url);
    const body = await res.text();
    if (done(res.status, body)) return { status: res.status, body };
    await new Promise((r) => setTimeout(r, 100));
  }
}
