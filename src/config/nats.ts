/**
 * The NATS settings shared by the agent (`telegram-logger agent`) and the recorder (`run` with
 * NATS_URL): where the server is, how to authenticate (one of a credentials file, a user and
 * password, or a token) and TLS. Each problem is a `ConfigError` naming the variable; secret values
 * are never part of a message.
 */
import { accessSync, constants } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { SUBJECT_TOKEN } from "./values.ts";

/** How the client proves who it is. */
export type NatsAuth =
  | { kind: "creds"; file: string }
  | { kind: "user"; user: string; password: string }
  | { kind: "token"; token: string };

/** Where the NATS server is and how to reach it. */
export interface NatsSettings {
  /** Server addresses (several: a cluster). */
  servers: string[];
  /** This machine's agent id (AGENT_ID, default: the host name made a subject token). */
  agentId: string;
  auth: NatsAuth | null;
  /** TLS files; null: TLS only when the address says `tls://` or the server requires it. */
  tls: { caFile?: string; certFile?: string; keyFile?: string } | null;
}

/** The validated variables this file reads (config.ts validates them with the rest). */
export interface NatsVariables {
  NATS_URL?: string[];
  AGENT_ID?: string;
  NATS_CREDS?: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  NATS_TOKEN?: string;
  NATS_CA?: string;
  NATS_CERT?: string;
  NATS_KEY?: string;
}

/** Every NATS variable but NATS_URL: set without it they are a mistake. */
const NEEDS_URL = [
  "NATS_CREDS",
  "NATS_USER",
  "NATS_PASSWORD",
  "NATS_TOKEN",
  "NATS_CA",
  "NATS_CERT",
  "NATS_KEY",
] as const;

/** The host name as an agent id: what a subject token may not hold becomes "-". */
export function defaultAgentId(host = hostname()): string {
  const id = host.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
  return SUBJECT_TOKEN.test(id) ? id : "agent";
}

/** Makes the error naming `variable` (config.ts passes one building its `ConfigError`). */
export type ProblemOf = (variable: string, problem: string) => Error;

function readableFile(variable: string, file: string, problem: ProblemOf): string {
  const full = path.resolve(file);
  try {
    accessSync(full, constants.R_OK);
  } catch (err) {
    throw problem(variable, `cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return full;
}

/** The NATS settings of `e`, or null when NATS_URL is not set (then no other NATS variable may be). */
export function natsSettings(e: NatsVariables, problem: ProblemOf): NatsSettings | null {
  if (e.NATS_URL === undefined) {
    const stray = NEEDS_URL.find((v) => e[v] !== undefined);
    if (stray) throw problem("NATS_URL", `is required when ${stray} is set`);
    return null;
  }
  const ways = (["NATS_CREDS", "NATS_USER", "NATS_TOKEN"] as const).filter((v) => e[v] !== undefined);
  if (ways.length > 1)
    throw problem(ways[1]!, `cannot be combined with ${ways[0]}: choose one way to authenticate`);
  let auth: NatsAuth | null = null;
  if (e.NATS_CREDS !== undefined)
    auth = { kind: "creds", file: readableFile("NATS_CREDS", e.NATS_CREDS, problem) };
  else if (e.NATS_TOKEN !== undefined) auth = { kind: "token", token: e.NATS_TOKEN };
  else if (e.NATS_USER !== undefined) {
    if (e.NATS_PASSWORD === undefined) throw problem("NATS_PASSWORD", "is required when NATS_USER is set");
    auth = { kind: "user", user: e.NATS_USER, password: e.NATS_PASSWORD };
  } else if (e.NATS_PASSWORD !== undefined)
    throw problem("NATS_USER", "is required when NATS_PASSWORD is set");
  if ((e.NATS_CERT === undefined) !== (e.NATS_KEY === undefined)) {
    const missing = e.NATS_CERT === undefined ? "NATS_CERT" : "NATS_KEY";
    throw problem(missing, "is required with the other half of the client certificate");
  }
  const tls: NonNullable<NatsSettings["tls"]> = {};
  if (e.NATS_CA !== undefined) tls.caFile = readableFile("NATS_CA", e.NATS_CA, problem);
  if (e.NATS_CERT !== undefined) tls.certFile = readableFile("NATS_CERT", e.NATS_CERT, problem);
  if (e.NATS_KEY !== undefined) tls.keyFile = readableFile("NATS_KEY", e.NATS_KEY, problem);
  return {
    servers: e.NATS_URL,
    agentId: e.AGENT_ID ?? defaultAgentId(),
    auth,
    tls: Object.keys(tls).length > 0 ? tls : null,
  };
}

/** The secrets of `nats` (password, token), for redaction. */
export function natsSecrets(nats: NatsSettings | null): string[] {
  if (nats?.auth?.kind === "user") return [nats.auth.password];
  if (nats?.auth?.kind === "token") return [nats.auth.token];
  return [];
}
