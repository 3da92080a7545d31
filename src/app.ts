/**
 * The public seam of the service: `startApp` returns a running `App` (`idle()`, `stop()`), and
 * `scanOnce` is the `scan` command's one pass. Tests, benchmarks and the commands start the service
 * through here; the composition itself is in `src/app/`.
 */
export { scanOnce } from "./app/scan-once.ts";
export { type Agent, type AgentOptions, startAgent } from "./app/start-agent.ts";
export { type App, type StartOptions, startApp } from "./app/start-app.ts";
export { STOP_DRAIN_MS } from "./app/stop-app.ts";
