/**
 * Why `TZ` cannot be used, or null. A zone Intl does not know would silently cut days in UTC
 * while a report names another zone; a POSIX rule (`:/etc/localtime`, `CET-1CEST`) is left to
 * the C library.
 */
export function timeZoneProblem(tz: string | undefined): string | null {
  if (tz === undefined || tz === "" || tz.startsWith(":") || !tz.includes("/")) return null;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return null;
  } catch {
    return `TZ: ${JSON.stringify(tz)} is not a time zone (such as Europe/Berlin or America/New_York)`;
  }
}
