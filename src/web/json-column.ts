/**
 * A JSON column's value, or null when the column is empty or holds something that is not JSON: a
 * damaged row must show as "no details", never fail the page it is on.
 */
export function parseJson<T>(json: string | null): T | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}
