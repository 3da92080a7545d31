/**
 * The HTTP endpoint (hono on @hono/node-server): `HEALTH_PATH` answers the health JSON with 200 or
 * 503, `/metrics` the Prometheus text. Listening problems (port taken, address not on this host)
 * are configuration errors naming the variable, so the process exits 78 instead of restart-looping.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { ConfigError } from "../config.ts";
import type { HealthReport } from "./health/model.ts";

/** What the server serves; both must answer quickly and never throw for a probe. */
export interface HttpHandlers {
  healthPath: string;
  health(): HealthReport;
  metrics(): Promise<{ contentType: string; text: string }>;
  /**
   * More routes mounted at the root after health and metrics (the web UI, src/web/): the
   * composition root builds them, so this server knows nothing of what they serve.
   */
  routes?: Hono;
}

/** A listening server. */
export interface HttpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The hono app, separate from listening so it can be exercised with `app.request()`. */
export function httpApp(h: HttpHandlers): Hono {
  const app = new Hono();
  app.get(h.healthPath, (c) => {
    const report = h.health();
    c.header("Cache-Control", "no-store");
    return c.json(report.body, report.httpStatus);
  });
  app.get("/metrics", async (c) => {
    const m = await h.metrics();
    return c.body(m.text, 200, { "Content-Type": m.contentType });
  });
  if (h.routes) app.route("/", h.routes);
  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => c.json({ status: "error", reasons: [`internal error: ${err.name}`] }, 500));
  return app;
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  if (err.code === "EADDRINUSE")
    return new ConfigError("HEALTH_PORT", `port ${port} on ${host} is already in use`);
  if (err.code === "EACCES") return new ConfigError("HEALTH_PORT", `not allowed to listen on port ${port}`);
  if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND" || err.code === "EAI_AGAIN")
    return new ConfigError("HTTP_HOST", `cannot listen on ${host}: no such address on this machine`);
  return err;
}

/** Starts listening; resolves once the port is bound. */
export function startHttpServer(h: HttpHandlers, host: string, port: number): Promise<HttpServer> {
  const app = httpApp(h);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // A slow or idle client must not hold the process open at shutdown.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      resolve({
        host,
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
