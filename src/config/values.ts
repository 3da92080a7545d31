/**
 * The value parsers of the environment's variables (envalid validators): each turns one text into
 * a typed value or throws a message saying what was expected, which config.ts reports as a
 * `ConfigError` naming the variable.
 */
import { isIP } from "node:net";
import { makeValidator } from "envalid";
import { REPORT_KINDS, type ReportKind } from "../model/report-kind.ts";

export const bool = makeValidator<boolean>((input) => {
  const v = String(input).trim().toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(v)) return true;
  if (["false", "0", "no", "off", "f", "n", ""].includes(v)) return false;
  throw new Error(`expected true or false, got "${input}"`);
});

export function intIn(min: number, max: number) {
  return makeValidator<number>((input) => {
    const s = String(input).trim();
    if (!/^-?\d+$/.test(s)) throw new Error(`expected a whole number, got "${input}"`);
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new Error(`expected a whole number from ${min} to ${max}, got ${s}`);
    }
    return n;
  });
}

export const nonNegativeNumber = makeValidator<number>((input) => {
  const n = Number(String(input).trim());
  if (String(input).trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new Error(`expected a number ≥ 0, got "${input}"`);
  }
  return n;
});

export const secret = makeValidator<string>((input) => {
  if (String(input).trim() === "") throw new Error("must not be empty");
  return String(input).trim();
});

// A guessable token would open someone's private messages to whoever can reach the port.
export const uiToken = makeValidator<string>((input) => {
  if (String(input).trim().length < 16)
    throw new Error("must be at least 16 characters (openssl rand -hex 24)");
  return String(input).trim();
});

export const urlPath = makeValidator<string>((input) => {
  const s = String(input).trim();
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(s))
    throw new Error(`expected a URL path starting with "/", got "${input}"`);
  return s;
});

/** An IPv4/IPv6 address or a host name to listen on. */
export const listenHost = makeValidator<string>((input) => {
  const s = String(input).trim();
  if (isIP(s) !== 0) return s;
  const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
  if (s.length <= 253 && s.split(".").every((l) => label.test(l))) return s;
  throw new Error(`expected an IP address or a host name (e.g. 127.0.0.1, 0.0.0.0, ::), got "${input}"`);
});

export const logLevel = makeValidator<string>((input) => {
  const s = String(input).trim().toLowerCase();
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(s)) {
    throw new Error(`expected one of fatal, error, warn, info, debug, trace, silent, got "${input}"`);
  }
  return s;
});

export const reportKinds = makeValidator<ReportKind[]>((input) => parseReportKinds(String(input)));

/**
 * The kinds `REPORT_TO_LOG_CHAT` names: a comma- or space-separated list of daily, weekly and
 * monthly (empty: none). Throws with a message naming the wrong word.
 */
export function parseReportKinds(text: string): ReportKind[] {
  const kinds: ReportKind[] = [];
  for (const word of text.split(/[\s,]+/).filter((w) => w !== "")) {
    const kind = REPORT_KINDS.find((k) => k === word.toLowerCase());
    if (kind === undefined) {
      throw new Error(`expected daily, weekly and/or monthly, separated by commas, got "${word}"`);
    }
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds;
}

/**
 * NATS server addresses, comma-separated: `nats://host:port`, `tls://host:port` or `host:port`.
 * Credentials belong in NATS_USER/NATS_PASSWORD/NATS_TOKEN/NATS_CREDS, never in the address (it
 * would be logged with it).
 */
export const natsServers = makeValidator<string[]>((input) => {
  const list = String(input)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new Error("expected a NATS server address such as nats://127.0.0.1:4222");
  for (const s of list) {
    const withScheme = /^[a-z]+:\/\//.test(s) ? s : `nats://${s}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new Error(`expected nats://host:port, tls://host:port or host:port, got "${s}"`);
    }
    if (!["nats:", "tls:"].includes(url.protocol))
      throw new Error(`expected a nats:// or tls:// address, got "${url.protocol}//"`);
    if (url.username !== "" || url.password !== "")
      throw new Error("must not hold credentials: set NATS_USER/NATS_PASSWORD, NATS_TOKEN or NATS_CREDS");
    if (url.hostname === "") throw new Error(`expected a host name in "${s}"`);
  }
  return list;
});

/** What a name used as one token of a NATS subject (and of a message id) may hold. */
export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** An agent's id: one subject token (`audit.fs.<id>`), so no dots, spaces or wildcards. */
export const subjectToken = makeValidator<string>((input) => {
  const s = String(input).trim();
  if (!SUBJECT_TOKEN.test(s))
    throw new Error(`expected 1 to 64 letters, digits, "-" or "_" (one NATS subject token), got "${s}"`);
  return s;
});
