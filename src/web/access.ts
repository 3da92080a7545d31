/**
 * Who may read the UI. The content is someone's private messages, so every page and API call needs
 * the token: scripts send it as `Authorization: Bearer`, a browser trades it once at the login
 * form for a session cookie. Sessions are random ids kept in memory only: a restart logs everyone
 * out, which costs a login and keeps nothing secret on disk.
 *
 * Tokens are compared as SHA-256 hashes with `timingSafeEqual` (equal lengths, constant time).
 * Wrong tokens lock the client address out for a growing while (answered 429 with Retry-After,
 * the token not even checked), so guessing is slow. Every POST must come from our own origin
 * (`sameOrigin`) on top of the SameSite=Strict cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The session cookie's name. */
export const SESSION_COOKIE = "tl_session";
/** How long a session lives without being used. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** Wrong tokens from one address answered with a plain 401 before the lock-outs begin. */
export const FREE_FAILURES = 3;
/** The longest lock-out; each further failure doubles it up to here. */
const MAX_LOCK_MS = 15 * 60_000;
/** Addresses remembered at most (a flood of addresses must not grow memory without bound). */
const MAX_TRACKED = 10_000;

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Whether `given` is the token, in time independent of where they differ. */
export function tokenMatches(token: string, given: string): boolean {
  return timingSafeEqual(digest(token), digest(given));
}

interface Failures {
  count: number;
  lockedUntil: number;
}

/** The sessions and the failed-login record of one running UI. */
export class Access {
  readonly #token: string;
  readonly #now: () => number;
  readonly #sessions = new Map<string, number>();
  readonly #failures = new Map<string, Failures>();

  constructor(token: string, now: () => number) {
    this.#token = token;
    this.#now = now;
  }

  /**
   * Milliseconds `address` must still wait before a token from it is checked again; 0 when it may
   * try now.
   */
  lockedFor(address: string): number {
    const f = this.#failures.get(address);
    return f ? Math.max(0, f.lockedUntil - this.#now()) : 0;
  }

  /**
   * Checks `given` from `address`: true forgets the address's failures; false counts one, and from
   * the `FREE_FAILURES`th on locks the address out for 1 s, 2 s, 4 s … up to 15 minutes.
   */
  check(address: string, given: string): boolean {
    if (tokenMatches(this.#token, given)) {
      this.#failures.delete(address);
      return true;
    }
    if (this.#failures.size >= MAX_TRACKED && !this.#failures.has(address)) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    const f = this.#failures.get(address) ?? { count: 0, lockedUntil: 0 };
    // Re-inserted below, so the entries stay in order of their last failure and the eviction
    // above drops the quietest address, never one that is failing now.
    this.#failures.delete(address);
    f.count++;
    if (f.count >= FREE_FAILURES)
      f.lockedUntil = this.#now() + Math.min(MAX_LOCK_MS, 1000 * 2 ** (f.count - FREE_FAILURES));
    this.#failures.set(address, f);
    return false;
  }

  /** A new session's id (32 random bytes). */
  openSession(): string {
    const id = randomBytes(32).toString("base64url");
    this.#sessions.set(id, this.#now());
    return id;
  }

  /** Whether `id` is a live session; using it keeps it alive. */
  hasSession(id: string | undefined): boolean {
    if (id === undefined) return false;
    const last = this.#sessions.get(id);
    if (last === undefined) return false;
    const now = this.#now();
    if (now - last > SESSION_IDLE_MS) {
      this.#sessions.delete(id);
      return false;
    }
    this.#sessions.set(id, now);
    return true;
  }

  /** Ends session `id` (logout). */
  closeSession(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }
}

/** The request headers that tell where a POST came from. */
export interface PostOrigin {
  /** `Sec-Fetch-Site`, which current browsers send on every request. */
  fetchSite?: string;
  origin?: string;
  referer?: string;
  host?: string;
  forwardedHost?: string;
}

/**
 * Whether a POST comes from a page of our own. A current browser says so itself
 * (`Sec-Fetch-Site: same-origin`; another site's form is `cross-site`), and must: our
 * `Referrer-Policy: no-referrer` makes it send `Origin: null` on form posts. An older browser is
 * judged by its Origin (or Referer), which must name the host the request was sent to. A request
 * with none of these is refused.
 */
export function sameOrigin(h: PostOrigin): boolean {
  if (h.fetchSite !== undefined) return h.fetchSite === "same-origin";
  const host = h.forwardedHost ?? h.host;
  const from = h.origin ?? h.referer;
  if (host === undefined || from === undefined || from === "null") return false;
  try {
    return new URL(from).host === host;
  } catch {
    return false;
  }
}

/**
 * Where to go after logging in: `next` when it is a path of the UI on this server, else the
 * events page. Never another host (`//evil.example`, `/\evil.example`, `https://…`).
 */
export function localNext(next: string | undefined): string {
  const fallback = "/ui/events";
  if (next === undefined || !next.startsWith("/ui/") || next.includes("\\")) return fallback;
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20)) return fallback;
  const base = "http://local.invalid";
  try {
    // Judged after normalising: `/ui/..//evil.example` is the path `//evil.example`, which a
    // browser reads as another host.
    const url = new URL(next, base);
    const local = url.origin === base && url.pathname.startsWith("/ui/") && !url.pathname.startsWith("//");
    return local ? `${url.pathname}${url.search}` : fallback;
  } catch {
    return fallback;
  }
}
