/**
 * Diffs of important text files: decide whether bytes are text, and render a unified diff (jsdiff)
 * between the kept content and the new one. Pure: the caller reads the files.
 */
import { createTwoFilesPatch } from "diff";

const SNIFF_BYTES = 8000;

/**
 * The text of `bytes`, or null when they look binary: a NUL byte in the first 8000 bytes (git's rule)
 * or invalid UTF-8 anywhere.
 */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** A unified diff (with `a/` and `b/` headers, 3 lines of context) from `before` to `after`. */
export function unifiedDiff(oldRel: string, newRel: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${oldRel}`, `b/${newRel}`, before, after, undefined, undefined, {
    context: 3,
  });
}
