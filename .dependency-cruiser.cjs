/**
 * The architecture of src/, as rules: which folder may import which. `npm run lint:deps` checks them.
 *
 * The table below (LAYERS) is the design: one row per folder or file, with the rows it may import.
 * A folder may always import its own files. Anything a row does not list is forbidden, and so is
 * an import of a file that belongs to no row. Lower rows never import higher rows; no cycles at all.
 * Type-only imports (`import type`) count like any other import: a type names the layer it comes from.
 *
 * Parsing: dependency-cruiser reads TypeScript through the `typescript` package's JavaScript API,
 * which TypeScript 7 (our `tsc`) no longer ships. It reads it with swc instead (`@swc/core`, a
 * prebuilt native binary): swc sees static imports and exports, `import type`, and dynamic
 * `await import("./x.ts")`. It does not see `import("x")` used as a type inside a type expression
 * (`typeof import("x")`, `import("x").T[]`): write those as `import type` where a layer rule matters.
 */

// Without swc, dependency-cruiser reads no .ts file at all and reports "no dependency violations":
// stop here instead, saying why.
try {
  require("@swc/core");
} catch (error) {
  throw new Error(`.dependency-cruiser.cjs needs @swc/core to read TypeScript (npm ci): ${error.message}`);
}

/** Where each row of the table lives, as path patterns relative to the repository. */
const AT = {
  model: "^src/model/",
  foundations: "^src/(clock|log|retry-policy)\\.ts$",
  posts: "^src/posts/",
  store: "^src/store/",
  config: "^src/config(\\.ts$|/)",
  cli: "^src/cli/",
  media: "^src/media/",
  feed: "^src/feed/",
  telegram: "^src/telegram/",
  saver: "^src/saver/",
  fswatch: "^src/fswatch/",
  report: "^src/report/",
  export: "^src/export/",
  verify: "^src/verify/",
  metrics: "^src/metrics/",
  housekeeping: "^src/housekeeping/",
  http: "^src/http/",
  web: "^src/web/",
  agents: "^src/agents/",
  app: "^src/app(/|\\.ts$)",
  commands: "^src/commands/",
  main: "^src/main\\.ts$",
};

/** The parts of a row that some rows may import without the rest of it. */
const ONLY = {
  /** store's data paths (databaseFileOf, dataPathsOf): the one store file config.ts may import. */
  "store/data-paths.ts": "^src/store/data-paths\\.ts$",
  /** The Feed interface: what telegram, saver and housekeeping may know of the log-chat outbox. */
  "feed/feed.ts": "^src/feed/feed\\.ts$",
  /** config.ts through `import type` only (the config-types-only rule): the shape of the settings. */
  "config (types)": "^src/config\\.ts$",
};

/**
 * The import table. `may` lists what a row may import besides its own files; `why` says what the row
 * is. `alone`: the row's files may not import each other either.
 */
const LAYERS = [
  { row: "model", why: "shared vocabulary: pure types and pure helpers", may: [] },
  {
    row: "foundations",
    why: "clock.ts, log.ts, retry-policy.ts: the ground everything stands on",
    may: [],
    alone: true,
  },
  { row: "posts", why: "the wording of every log-chat post, pure", may: ["model"] },
  { row: "store", why: "SQLite: schema, migrations, queries, data paths", may: ["model", "foundations"] },
  {
    row: "config",
    why: "environment -> Config; knows where the data lives (store's data paths)",
    may: ["model", "store/data-paths.ts", "foundations"],
  },
  { row: "cli", why: "argument and IO helpers shared by commands", may: ["model", "foundations"] },
  {
    row: "media",
    why: "media buffer and encrypted vault",
    may: ["model", "store", "config (types)", "foundations"],
  },
  {
    row: "feed",
    why: "the log-chat outbox: storing, pacing, delivering (no wording, no GramJS)",
    may: ["model", "posts", "store", "media", "config (types)", "foundations"],
  },
  {
    row: "telegram",
    why: "GramJS client, ingest queue, handlers, catch-up; knows the feed only as the Feed interface",
    may: ["model", "posts", "store", "media", "config", "feed/feed.ts", "foundations"],
  },
  {
    row: "saver",
    why: "restricted-content saver",
    may: ["model", "posts", "store", "telegram", "feed/feed.ts", "foundations"],
  },
  { row: "fswatch", why: "the file audit", may: ["model", "posts", "store", "config", "foundations"] },
  ...["report", "export", "verify"].map((row) => ({
    row,
    why: "a reporting command's logic",
    may: ["model", "posts", "store", "media", "cli", "foundations"],
  })),
  { row: "metrics", why: "Prometheus metrics", may: ["model", "store", "foundations"] },
  {
    row: "housekeeping",
    why: "retention, archive, purge and report-post tasks",
    may: ["model", "posts", "store", "media", "feed/feed.ts", "report", "foundations"],
  },
  {
    row: "http",
    why: "the HTTP server: health, metrics",
    may: ["model", "config", "metrics", "foundations"],
  },
  {
    row: "web",
    why: "the audit UI: pages under /ui/, JSON under /api/, access; handed to http by app",
    may: ["model", "posts", "store", "media", "report", "export", "foundations"],
  },
  {
    row: "agents",
    why: "remote file agents over NATS JetStream: wire format, connection, outbox publisher, stream, recorder",
    may: ["model", "store", "config", "foundations"],
  },
  // app, commands and main are at the top; what they may NOT import is shorter, see the rules below.
  {
    row: "main",
    why: "parses argv, dispatches through commands/",
    may: ["commands", "cli", "config", "foundations"],
  },
];

/** The path pattern of a name used in `may`; a misspelt name stops the check rather than allow nothing. */
function patternOf(part) {
  const pattern = AT[part] ?? ONLY[part];
  if (pattern === undefined) throw new Error(`.dependency-cruiser.cjs: no row or part named "${part}"`);
  return pattern;
}

/** "feed/ may import only model, posts, ..." for each row of the table. */
const layerRules = LAYERS.map(({ row, why, may, alone = false }) => ({
  name: `${row}-imports-only-allowed`,
  comment: alone
    ? `${row} (${why}) import nothing of ours, not even each other.`
    : `${row} (${why}) may import only its own files${may.length ? ` and: ${may.join(", ")}` : ""}.`,
  severity: "error",
  from: { path: AT[row] },
  // Only files that are in the table: a file in none is the in-the-table rule's to report.
  to: { path: Object.values(AT), pathNot: [...(alone ? [] : [AT[row]]), ...may.map(patternOf)] },
}));

/** Node modules that reach outside the process (files, network, processes, threads, the host). */
const NODE_IO =
  "^(node:)?(fs|net|tls|http|https|http2|dgram|dns|child_process|cluster|worker_threads|readline|repl|" +
  "tty|os|process|inspector|module|vm|v8|sqlite|stream|wasi)(/|$)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "No import cycles anywhere (type-only ones included): a cycle makes two modules one, " +
        "and at run time can leave one of them half-initialised when the other starts using it.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: "config-types-only",
      comment:
        "media and feed may import config.ts for its types only (`import type`): " +
        "they are given their settings, they do not read the environment.",
      severity: "error",
      from: { path: [AT.media, AT.feed] },
      to: { path: AT.config, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "app-is-below-commands",
      comment: "app is the one composition root: it may import everything except commands/ and main.ts.",
      severity: "error",
      from: { path: AT.app },
      to: { path: [AT.commands, AT.main] },
    },
    {
      name: "commands-use-app-through-app-ts",
      comment: "commands may import everything except main.ts, and app through src/app.ts only.",
      severity: "error",
      from: { path: AT.commands },
      to: { path: [AT.main, "^src/app/"] },
    },
    {
      name: "in-the-table",
      comment:
        "Every file under src/ belongs to a row of the table (.dependency-cruiser.cjs): " +
        "move it into one, or add the row here and in the design.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: Object.values(AT) },
    },
    {
      name: "model-and-posts-do-no-io",
      comment: "model and posts are pure: no node module that reaches files, network, processes or threads.",
      severity: "error",
      from: { path: [AT.model, AT.posts] },
      to: { dependencyTypes: ["core"], path: NODE_IO },
    },
    {
      name: "model-and-posts-know-no-telegram-or-sqlite",
      comment:
        "model and posts are pure: no GramJS, no SQLite, no drizzle (those are telegram's and store's).",
      severity: "error",
      from: { path: [AT.model, AT.posts] },
      to: { path: "(^|/)node_modules/(@types/)?(telegram|better-sqlite3|drizzle-orm)/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to no file: a typo, or a file that moved. It fails at run time.",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
    {
      name: "not-to-dev-dep",
      comment:
        "The service's image installs production dependencies only (npm ci --omit=dev): src/ may " +
        "import a devDependency for its types only.",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "no-non-package-json",
      comment:
        "A package that package.json does not list is only there by chance (another package's dependency).",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "no-orphans",
      comment:
        "A file nothing imports and that imports nothing is dead. Exceptions: main.ts (the program), " +
        "declaration files, and *-worker.ts files, which `new Worker(new URL(...))` loads by path.",
      severity: "error",
      from: { orphan: true, path: "^src/", pathNot: [AT.main, "\\.d\\.ts$", "-worker\\.ts$"] },
      to: {},
    },
  ],
  options: {
    // swc, not tsc: see the top of this file.
    parser: "swc",
    doNotFollow: { path: "(^|/)node_modules/" },
    // Resolve packages the way Node does for us (ES modules first), types included.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
