/**
 * Strict reading of a page's query string, shared by the chat pages and the "what changed" feed:
 * an unknown parameter, a repeated one or a bad value is a `FilterError` naming it (a 400), so a
 * typo never silently shows something else than what was asked for.
 */
import { FilterError } from "./event-query.ts";

/** Throws for the first parameter of `params` not in `known`. */
export function onlyKnown(params: URLSearchParams, known: readonly string[]): void {
  for (const name of params.keys())
    if (!known.includes(name)) throw new FilterError(name, `unknown parameter (known: ${known.join(", ")})`);
}

/** The single value of `name`, trimmed; null when absent or empty (an empty form field). */
export function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name).filter((v) => v.trim() !== "");
  if (all.length > 1) throw new FilterError(name, "given more than once");
  return all[0]?.trim() ?? null;
}

/** A whole number from `min` to `max` (a message id, a row id, a page size), or null when absent. */
export function wholeNumber(params: URLSearchParams, name: string, min: number, max: number): number | null {
  const text = single(params, name);
  if (text === null) return null;
  const n = Number(text);
  if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new FilterError(name, `expected a whole number from ${min} to ${max}`);
  return n;
}

/** One of `allowed`, or `fallback` when absent. */
export function choice<T extends string>(
  params: URLSearchParams,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const text = single(params, name);
  if (text === null) return fallback;
  if (!(allowed as readonly string[]).includes(text))
    throw new FilterError(name, `expected one of ${allowed.join(", ")}`);
  return text as T;
}

/** The largest message id Telegram gives (32-bit). */
export const MAX_MESSAGE_ID = 2 ** 31 - 1;
