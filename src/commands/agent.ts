/**
 * `telegram-logger agent`: the file audit of this machine's watched folders, published to the
 * central recorder over NATS JetStream instead of stored here (docs/agents.md). Runs until SIGTERM
 * or SIGINT.
 */
import { ConfigError, EXIT_CONFIG, loadAgentConfig } from "../config.ts";
import type { Command } from "./command.ts";
import { fail, failConfig, serviceEnvironment } from "./setup.ts";

const USAGE = `Usage: telegram-logger agent [--config FILE]

Runs the file audit of this machine's watched folders (snapshot, reconcile, watchers, diffs of
important files) and publishes every event to the central recorder over NATS JetStream, on the
subject audit.fs.AGENT_ID. Events wait in DATA_ROOT (the agent's snapshot and outbox, nothing else)
until the broker acknowledges them: while it is unreachable the agent keeps watching and sends them
in order when it is back. The recorder is \`telegram-logger run\` with the same NATS_URL.

Settings (environment or ./.env; docs/agents.md):
  NATS_URL      the NATS server(s), nats://host:4222 (comma-separated for a cluster); required
  AGENT_ID      this agent's name in subjects: letters, digits, - and _ (default: the host name)
  NATS_CREDS    a credentials file; or NATS_USER and NATS_PASSWORD; or NATS_TOKEN
  NATS_CA       the CA of the server's certificate; NATS_CERT and NATS_KEY: a client certificate
  WATCH_CONFIG  the watch-config file (docs/watch-config.md); required unless --config is given
  DATA_ROOT     the agent's data folder (default ./data)

Options:
  --config FILE  the watch-config file; takes precedence over WATCH_CONFIG

Exit status: 0 stopped by SIGTERM/SIGINT, 1 unexpected failure, 64 usage error, 78 configuration
error (the message names the variable), including credentials the server refuses.`;

/** The agent: starts it and returns; signal handlers stop it and exit. */
export const agent: Command = {
  name: "agent",
  summary: "a remote file agent: audit this machine's folders, publish to the recorder over NATS",
  usage: USAGE,
  async run({ configFile }) {
    let config: ReturnType<typeof loadAgentConfig>;
    try {
      config = loadAgentConfig(serviceEnvironment(configFile));
    } catch (err) {
      if (err instanceof ConfigError) failConfig(err, configFile);
      throw err;
    }
    const { createLogger } = await import("../log.ts");
    const log = createLogger({ level: config.logLevel }).child({ agent: config.nats.agentId });
    process.on("unhandledRejection", (reason) =>
      log.error({ err: reason }, "unhandled rejection (agent keeps running)"),
    );
    const { startAgent } = await import("../app.ts");
    const refused = (err: Error) => {
      log.fatal({ err }, "the NATS server refused the agent");
      const culprit = config.nats.auth
        ? { creds: "NATS_CREDS", user: "NATS_USER", token: "NATS_TOKEN" }[config.nats.auth.kind]
        : "NATS_URL";
      fail(
        `configuration error: ${culprit}: the NATS server refused the connection (${err.message})`,
        EXIT_CONFIG,
      );
    };
    let running: Awaited<ReturnType<typeof startAgent>>;
    try {
      running = await startAgent({ config, log, onRefused: refused });
    } catch (err) {
      if (err instanceof ConfigError) failConfig(err, configFile);
      throw err;
    }
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, "shutting down");
      try {
        await running.stop();
      } catch (err) {
        log.error({ err }, "error while shutting down");
      }
      process.exit(0);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
    return undefined;
  },
};
