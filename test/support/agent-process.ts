/**
 * The real `telegram-logger agent` command as a child process, and reading the central store the
 * recorder (`telegram-logger run`) writes, for the agent tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** A running agent. */
export interface AgentProcess {
  child: ChildProcess;
  /** Its JSON log lines so far. */
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Spawns the agent with exactly `env` (plus PATH); resolves once it has started and its first
 * reconcile pass is done (a file created before then would be part of a first run's silent baseline).
 */
export function startAgentProcess(cwd: string, env: Record<string, string>): Promise<AgentProcess> {
  const child = spawn(process.execPath, [MAIN, "agent"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
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
  const agent: AgentProcess = {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      if (line.includes('"msg":"reconciled"') && lines.some((l) => l.includes('"msg":"agent started"')))
        resolve(agent);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`agent exited (${code ?? signal}) before it started: ${stderr}${lines.join("\n")}`)),
    );
  });
}

/** An `events` row of an agent's file change, as the recorder stored it. */
export interface RecordedEvent {
  id: number;
  type: string;
  path: string | null;
  project: string | null;
  username: string | null;
  occurredAt: number;
  recordedAt: number;
  details: Record<string, unknown>;
}

/** The agents' events in the database at `dbFile` (read-only), oldest first. */
export function agentEvents(dbFile: string): RecordedEvent[] {
  let db: Database.Database;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    db.pragma("busy_timeout = 2000");
    const rows = db
      .prepare(
        `SELECT id, type, path, project, username, occurred_at AS occurredAt, recorded_at AS recordedAt, details
         FROM events WHERE json_extract(details, '$.agent') IS NOT NULL ORDER BY id`,
      )
      .all() as (Omit<RecordedEvent, "details"> & { details: string })[];
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  } catch {
    return [];
  } finally {
    db.close();
  }
}
