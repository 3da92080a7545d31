/**
 * `telegram-logger ui-url`: where the web UI is and the token to log in with. The token goes on a
 * line of its own, for the operator to paste into the login form, and never into the URL: a URL
 * ends up in browser history, proxy and server logs, a pasted form field does not. A one-time login
 * link would need the running service to learn the code; this reads what the service reads instead
 * (`UI_TOKEN`, or the file `DATA_ROOT/db/ui-token` the service creates at its first start).
 */
import { EXIT_CONFIG } from "../config.ts";
import type { Command } from "./command.ts";
import { configOrExit, fail, serviceEnvironment } from "./setup.ts";

const USAGE = `Usage: telegram-logger ui-url

Prints the web UI's login address (http://HTTP_HOST:HEALTH_PORT/ui/login) and, on its own line,
the token to paste into the login form. The token is UI_TOKEN when set, otherwise the one the
service created at its first start in DATA_ROOT/db/ui-token. Treat the output like a password.
Behind a reverse proxy or an SSH tunnel, open the address you reach the service by instead.

Settings (environment or ./.env): UI_TOKEN, DATA_ROOT, HTTP_HOST, HEALTH_PORT

Exit status: 0 printed, 66 no token yet (start the service once, or set UI_TOKEN), 78 configuration error.`;

/** The host part of a URL for listening address `host` (any-address becomes this machine). */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** Prints the login address and the token. */
export const uiUrl: Command = {
  name: "ui-url",
  summary: "the web UI's login address and its token: ui-url",
  usage: USAGE,
  async run() {
    const config = configOrExit(serviceEnvironment(null), null);
    const { readUiTokenFile, uiTokenFileOf } = await import("../store/data-paths.ts");
    const file = uiTokenFileOf(config.dbFile);
    let token = config.uiToken;
    try {
      token ??= readUiTokenFile(file);
    } catch (err) {
      fail(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        EXIT_CONFIG,
      );
    }
    if (token === null)
      fail(
        `no UI token yet: UI_TOKEN is unset and ${file} does not exist (the service creates it at its first start)`,
        66,
      );
    const { host, port } = config.http;
    process.stdout.write(`http://${urlHost(host)}:${port}/ui/login\n${token}\n`);
    return 0;
  },
};
