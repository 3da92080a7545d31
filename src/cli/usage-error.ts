/**
 * Mistakes on the command line of the commands that parse their own options (`export`,
 * `report`): the error they throw, and how it shows a value the user gave.
 */

/** A mistake on a command's line; the message names the flag. */
export class UsageError extends Error {}

/**
 * A flag's value as a usage error shows it: in double quotes, control characters escaped, so a
 * pasted escape sequence cannot rewrite the terminal.
 */
export function quoted(value: string): string {
  return JSON.stringify(value);
}
