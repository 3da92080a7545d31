/**
 * Reading Docker's files the way Docker does, for test/process/docker-image.test.ts (no Docker
 * daemon is needed): the Dockerfile's stages and instructions, `.dockerignore` patterns, and an
 * `--env-file`. Only what this project's files use is supported; anything else throws, so a new
 * construct in the Dockerfile makes the test say what it cannot emulate instead of skipping it.
 */

/** One instruction: its keyword, options such as `--from=deps`, and its arguments. */
export interface Instruction {
  keyword: string;
  options: Record<string, string>;
  /** Exec form (`["node", "x"]`): the array; shell form: the text after the keyword and options. */
  exec: string[] | null;
  text: string;
}

/** A build stage: `FROM image [AS name]` and what follows it. */
export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's stages, in order. */
export function parseDockerfile(source: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of source.split("\n")) {
    const line = raw.trimEnd();
    if (pending === "" && /^\s*(#|$)/.test(line)) continue;
    if (pending !== "" && /^\s*#/.test(line)) continue; // comments inside a continued instruction
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = "";
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = m[1]!.toUpperCase();
    let rest = m[2]!;
    const options: Record<string, string> = {};
    for (let o = /^--([a-z-]+)=(\S+)\s+/.exec(rest); o; o = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
      options[o[1]!] = o[2]!;
      rest = rest.slice(o[0].length);
    }
    const exec = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : null;
    if (keyword === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!f) throw new Error(`unsupported FROM: ${line}`);
      stages.push({ image: f[1]!, name: f[2], instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`instruction before FROM: ${line}`);
    stages.at(-1)!.instructions.push({ keyword, options, exec, text: rest });
  }
  return stages;
}

/** `ENV a=1 b=2` as pairs (the `key=value` form only; values without quotes or spaces). */
export function parseEnvInstruction(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'\s]*)$/.exec(pair);
    if (!m) throw new Error(`unsupported ENV form: ${text}`);
    env[m[1]!] = m[2]!;
  }
  return env;
}

/** A `.dockerignore` pattern in regular-expression form. */
interface IgnoreRule {
  exception: boolean;
  pattern: string;
  re: RegExp;
}

/** Go's `filepath.Match` syntax plus Docker's `**`, on `/`-separated relative paths. */
function patternToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else re += ".*";
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) throw new Error(`unterminated [ in .dockerignore pattern ${pattern}`);
      re += `[${pattern.slice(i + 1, end)}]`;
      i = end;
    } else if (c === "\\") re += `\\${pattern[++i] ?? ""}`;
    else re += c.replace(/[.+^${}()|\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** What `.dockerignore` keeps out of the build context. */
export interface DockerIgnore {
  /** Whether `rel` (a `/`-separated path in the context) is left out. */
  excludes(rel: string): boolean;
  /** Whether some exception (`!pattern`) could bring back a path under the folder `rel`. */
  mayReinclude(rel: string): boolean;
}

/**
 * Docker's rules: patterns are cleaned of leading and trailing slashes, a pattern that matches a
 * folder matches everything in it, `!` makes an exception, and the last matching line wins.
 */
export function parseDockerignore(source: string): DockerIgnore {
  const rules: IgnoreRule[] = [];
  for (const raw of source.split("\n")) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const exception = line.startsWith("!");
    if (exception) line = line.slice(1).trim();
    const pattern = line.replace(/^\/+|\/+$/g, "").replace(/^\.\//, "");
    rules.push({ exception, pattern, re: patternToRegExp(pattern) });
  }
  const matches = (rule: IgnoreRule, rel: string) => {
    const parts = rel.split("/");
    for (let n = 1; n <= parts.length; n++) if (rule.re.test(parts.slice(0, n).join("/"))) return true;
    return false;
  };
  return {
    excludes(rel) {
      let excluded = false;
      for (const rule of rules) if (matches(rule, rel)) excluded = !rule.exception;
      return excluded;
    },
    mayReinclude(rel) {
      return rules.some((r) => r.exception && (r.pattern.startsWith(`${rel}/`) || r.pattern.startsWith("*")));
    },
  };
}

/** `docker run --env-file`: `KEY=value` lines taken literally; comments and blank lines skipped. */
export function parseEnvFile(source: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of source.split("\n")) {
    const line = raw.trimStart();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`env-file line without a value (it would take the host's): ${line}`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}
