/**
 * Turns an untrusted file name (from a vault's metadata, i.e. from whoever sent the message) into
 * one that is safe to create inside the output folder: no directories, no control or reserved
 * characters, no `.`/`..`, bounded length, and no collision with a name already given out. Pure.
 */

/** Longest name produced, in UTF-8 bytes: below NAME_MAX (255) with room for a "-NN" suffix. */
export const MAX_NAME_BYTES = 200;

/** Bytes of an extension kept when a long name is shortened. */
const MAX_EXTENSION_BYTES = 16;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character. */
function cutToBytes(s: string, max: number): string {
  if (utf8Length(s) <= max) return s;
  let out = "";
  let used = 0;
  for (const ch of s) {
    const n = utf8Length(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return [name, ""];
  const ext = name.slice(dot);
  if (utf8Length(ext) > MAX_EXTENSION_BYTES || /\s/.test(ext)) return [name, ""];
  return [name.slice(0, dot), ext];
}

/**
 * A safe base name for `raw`, or `fallback` (itself assumed safe) when nothing usable is left.
 * Directory parts are dropped (both `/` and `\`), control characters and `<>:"|?*` become `_`, a
 * leading `-` becomes `_` (so the name is never read as an option), trailing dots and spaces go,
 * and the result is capped at MAX_NAME_BYTES keeping the extension.
 */
export function safeFileName(raw: string, fallback: string): string {
  const parts = raw.normalize("NFC").split(/[/\\]/);
  let name = parts.filter((p) => p !== "").pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  name = name.replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*\u2028\u2029]/g, "_");
  name = name.replace(/[. ]+$/, "").replace(/^\s+/, "");
  if (name.startsWith("-")) name = `_${name.slice(1)}`;
  if (name === "" || /^\.+$/.test(name)) return fallback;
  if (utf8Length(name) > MAX_NAME_BYTES) {
    const [stem, ext] = splitExtension(name);
    name = cutToBytes(stem, MAX_NAME_BYTES - utf8Length(ext)) + ext;
  }
  return name;
}

/**
 * `name`, or `stem-2.ext`, `stem-3.ext`… — the first variant for which `taken` is false. Used so
 * two vault files with the same original name in one run do not overwrite each other.
 */
export function uniqueName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  const [stem, ext] = splitExtension(name);
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}${ext}`;
    if (!taken(candidate)) return candidate;
  }
}
