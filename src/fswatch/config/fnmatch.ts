/**
 * Python's `fnmatch`, exactly, as a RegExp. The watch config inherits fnmatch patterns from the CRM
 * file-event service (`*.docx`, `~$*`), and glob libraries differ from fnmatch in dozens of cases
 * (on 462 cases checked against Python: picomatch in 80, micromatch 77, minimatch 61,
 * `path.matchesGlob` 59; docs/watch-config.md lists the syntax accepted): here `*` crosses `/`, dotfiles are not special, `[!x]` negates, and `[^x]`,
 * braces, extglobs, a leading `!` and `**` are literal. Matching is case-sensitive, as
 * `fnmatch.fnmatch` is on POSIX. This is a port of CPython's `fnmatch._translate` (3.11/3.12),
 * working on code points so characters outside the BMP behave as in Python.
 */

const REGEX_SPECIAL = new Set([..."\\^$.*+?()[]{}|/-"]);

function escapeChar(c: string): string {
  return REGEX_SPECIAL.has(c) ? `\\${c}` : c;
}

function escapeInClass(c: string): string {
  return c === "\\" || c === "]" || c === "[" || c === "^" || c === "-" ? `\\${c}` : c;
}

/** Translates the inside of a `[...]` set (code points `pat[i..j)`) the way CPython does. */
function translateSet(pat: string[], start: number, j: number): string {
  let i = start;
  const chunks: string[][] = [];
  if (!pat.slice(i, j).includes("-")) {
    chunks.push(pat.slice(i, j));
  } else {
    let k = pat[i] === "!" ? i + 2 : i + 1;
    for (;;) {
      k = pat.indexOf("-", k);
      if (k < 0 || k >= j) break;
      chunks.push(pat.slice(i, k));
      i = k + 1;
      k += 3;
    }
    const last = pat.slice(i, j);
    if (last.length > 0) chunks.push(last);
    else chunks[chunks.length - 1]!.push("-");
    // Remove empty ranges (z-a): invalid in a regex, and CPython drops them.
    for (let m = chunks.length - 1; m > 0; m--) {
      const prev = chunks[m - 1]!;
      const cur = chunks[m]!;
      if (prev[prev.length - 1]! > cur[0]!) {
        chunks[m - 1] = [...prev.slice(0, -1), ...cur.slice(1)];
        chunks.splice(m, 1);
      }
    }
  }
  const flat = chunks.flat();
  if (flat.length === 0) return "(?!)";
  if (flat.length === 1 && flat[0] === "!") return "[\\s\\S]";
  const negate = flat[0] === "!";
  const body = chunks
    .map((chunk, n) => {
      const chars = n === 0 && negate ? chunk.slice(1) : chunk;
      return chars.map(escapeInClass).join("");
    })
    .join("-");
  return `[${negate ? "^" : ""}${body}]`;
}

/** The RegExp source for an fnmatch pattern (anchored at both ends; use with flags `su`). */
function fnmatchSource(pattern: string): string {
  const pat = Array.from(pattern);
  const n = pat.length;
  let out = "";
  let lastWasStar = false;
  let i = 0;
  while (i < n) {
    const c = pat[i]!;
    i++;
    if (c === "*") {
      if (!lastWasStar) out += "[\\s\\S]*";
      lastWasStar = true;
      continue;
    }
    lastWasStar = false;
    if (c === "?") {
      out += "[\\s\\S]";
    } else if (c === "[") {
      let j = i;
      if (j < n && pat[j] === "!") j++;
      if (j < n && pat[j] === "]") j++;
      while (j < n && pat[j] !== "]") j++;
      if (j >= n) {
        out += "\\[";
      } else {
        out += translateSet(pat, i, j);
        i = j + 1;
      }
    } else {
      out += escapeChar(c);
    }
  }
  return `^${out}$`;
}

/** Compiles an fnmatch pattern to a RegExp that tests whole strings. */
export function fnmatchRegExp(pattern: string): RegExp {
  return new RegExp(fnmatchSource(pattern), "su");
}

/** `fnmatch.fnmatch(name, pattern)` on POSIX (case-sensitive). */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}
