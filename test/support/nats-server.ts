/**
 * A real NATS server for the agent tests: Debian's `nats-server` (2.9, JetStream and key-value
 * buckets), started on a free loopback port with JetStream storage in its own folder, killed
 * (`kill -9`) or stopped, and started again on the same port and storage.
 *
 * Missing binary: outside CI the tests that need it are skipped with the reason; under CI=true
 * (`.ci/run` installs the package) they run and fail, so a broken CI image cannot pass unnoticed.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import type { TestContext } from "node:test";
import { tempDir } from "./tmp.ts";

/** The binary: NATS_SERVER_BIN, else `nats-server` on PATH, else Debian's /usr/sbin/nats-server. */
export const NATS_SERVER_BIN =
  process.env.NATS_SERVER_BIN ??
  (spawnSync("nats-server", ["--version"]).status === 0 ? "nats-server" : "/usr/sbin/nats-server");

const installed = spawnSync(NATS_SERVER_BIN, ["--version"]).status === 0;

/**
 * The `skip` option of a test that needs the server: the reason when it is missing outside CI;
 * false under CI=true, so the test runs and fails on the missing binary.
 */
export const skipWithoutNats: string | false =
  installed || process.env.CI === "true"
    ? false
    : `nats-server is not installed (apt-get install nats-server; or set NATS_SERVER_BIN)`;

/** A free TCP port on 127.0.0.1 (free when asked: the server takes it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A running (or stopped, to be started again) nats-server. */
export class NatsServer {
  readonly port: number;
  /** The JetStream storage folder, kept across restarts. */
  readonly storeDir: string;
  readonly #extra: string[];
  #child: ChildProcess | undefined;
  #log = "";

  private constructor(port: number, storeDir: string, extra: string[]) {
    this.port = port;
    this.storeDir = storeDir;
    this.#extra = extra;
  }

  /** Starts a server for `t` (stopped when `t` ends); `extra` are more command-line options. */
  static async start(t: TestContext, extra: string[] = []): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), path.join(tempDir(t, "tl-nats-"), "js"), extra);
    t.after(() => server.kill());
    await server.restart();
    return server;
  }

  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** What the server logged so far (for assertion messages). */
  get log(): string {
    return this.#log;
  }

  /** Starts the server on its port and storage; resolves once it accepts clients. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("nats-server is already running");
    const args = ["-js", "-sd", this.storeDir, "-a", "127.0.0.1", "-p", String(this.port), ...this.#extra];
    const child = spawn(NATS_SERVER_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        this.#log += d;
        if (this.#log.includes("Server is ready")) resolve();
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("error", (err) => reject(new Error(`cannot start ${NATS_SERVER_BIN}: ${err.message}`)));
      child.once("exit", (code, signal) =>
        reject(new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${this.#log}`)),
      );
    });
  }

  /** Kills the server at once (SIGKILL: no flush, no goodbye to clients); resolves once it is gone. */
  async kill(): Promise<void> {
    await this.#end("SIGKILL");
  }

  /** Stops the server cleanly (SIGTERM). */
  async stop(): Promise<void> {
    await this.#end("SIGTERM");
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await gone;
  }
}
