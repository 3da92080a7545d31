/**
 * Which paths under a root are audited, from the root's fnmatch patterns. A pattern without `/` is
 * matched against the name; a pattern with `/` against the path relative to the root (`/`-separated;
 * fnmatch's `*` crosses `/`). A file is audited when some `include` pattern matches it and no
 * `exclude` pattern matches it or any folder above it, so `exclude: [".git"]` skips the whole tree.
 */
import { fnmatchRegExp } from "./fnmatch.ts";

/** Compiled include / exclude / important patterns of one root. */
export interface PathFilter {
  /** True when the file at `rel` (relative, `/`-separated) is audited. */
  includesFile(rel: string): boolean;
  /** True when the folder at `rel` and everything below it is skipped. */
  excludesDir(rel: string): boolean;
  /** True when the file at `rel` is "important" (its text diffs are kept). */
  isImportant(rel: string): boolean;
}

type Test = (rel: string, name: string) => boolean;

function compile(patterns: string[]): Test {
  const byName: RegExp[] = [];
  const byPath: RegExp[] = [];
  for (const p of patterns) (p.includes("/") ? byPath : byName).push(fnmatchRegExp(p));
  return (rel, name) => byName.some((r) => r.test(name)) || byPath.some((r) => r.test(rel));
}

function baseName(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? rel : rel.slice(i + 1);
}

/** Compiles a root's patterns. */
export function pathFilter(include: string[], exclude: string[], important: string[]): PathFilter {
  const inc = compile(include);
  const exc = compile(exclude);
  const imp = compile(important);
  const dirExcluded = (rel: string): boolean => {
    let i = rel.indexOf("/");
    while (i >= 0) {
      const dir = rel.slice(0, i);
      if (exc(dir, baseName(dir))) return true;
      i = rel.indexOf("/", i + 1);
    }
    return false;
  };
  return {
    includesFile: (rel) => {
      const name = baseName(rel);
      return inc(rel, name) && !exc(rel, name) && !dirExcluded(rel);
    },
    excludesDir: (rel) => exc(rel, baseName(rel)) || dirExcluded(rel),
    isImportant: (rel) => imp(rel, baseName(rel)),
  };
}
