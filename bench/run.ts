/**
 * Entry of `npm run bench`. Runs every benchmark (`bench/NAME.bench.ts`, exporting `run()`),
 * or the ones named on the command line (`node bench/run.ts ingest`), each in its own Node
 * process (with `--expose-gc`) so one benchmark's heap, JIT state and open files do not colour
 * another's figures. Options (`--quick`, ...) are passed on to every benchmark's process. Each
 * benchmark prints its own table; this runner ends with a summary of every target and whether it
 * is met (targets a benchmark reports with `reportTarget`).
 *
 * Benchmarks never fail the run on a figure: the exit status is non-zero only when a benchmark
 * crashes.
 *
 * Internal: `node bench/run.ts --child NAME` runs one benchmark in this process.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PRODUCTION_V8_FLAGS, type TargetOutcome } from "./support.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The Telegram capture benchmarks first, in this order; any other `bench/NAME.bench.ts` after. */
const FIRST = ["ingest", "deletion-latency", "deletion-burst"];

/** Every `bench/NAME.bench.ts`; each exports `run()` (or `main()`). */
function benchmarks(): string[] {
  const found = readdirSync(HERE)
    .filter((f) => f.endsWith(".bench.ts"))
    .map((f) => f.slice(0, -".bench.ts".length));
  return [...FIRST.filter((n) => found.includes(n)), ...found.filter((n) => !FIRST.includes(n)).sort()];
}

async function child(name: string): Promise<void> {
  if (!benchmarks().includes(name)) throw new Error(`unknown benchmark "${name}"`);
  const file = pathToFileURL(path.join(HERE, `${name}.bench.ts`)).href;
  const mod = (await import(file)) as { run?: () => Promise<void>; main?: () => Promise<void> };
  const entry = mod.run ?? mod.main;
  if (!entry) throw new Error(`bench/${name}.bench.ts exports neither run() nor main()`);
  await entry();
}

function runChild(name: string, options: string[], outcomes: TargetOutcome[]): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const proc = spawn(
    process.execPath,
    ["--expose-gc", ...PRODUCTION_V8_FLAGS, self, "--child", name, ...options],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: proc.stdout });
  lines.on("line", (line) => {
    if (line.startsWith("##TARGET ")) outcomes.push(JSON.parse(line.slice(9)) as TargetOutcome);
    else console.log(line);
  });
  return new Promise((resolve) => {
    proc.on("close", (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    // The benchmark sees the options as if run directly (`process.argv[2]` onwards).
    process.argv.splice(2, 2);
    await child(args[1] ?? "");
    // GramJS clients may leave timers behind; a benchmark process is done when its table is out.
    process.exit(0);
  }
  const known = benchmarks();
  const options = args.filter((a) => a.startsWith("--"));
  const named = args.filter((a) => !a.startsWith("--"));
  const names = named.length > 0 ? named : known;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${known.join(", ")}`);
    process.exit(2);
  }
  console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs`);
  const outcomes: TargetOutcome[] = [];
  let crashed = 0;
  for (const name of names) {
    const started = Date.now();
    // Other work on the machine shows up in latency tails: the load average says how much there was.
    const load = loadavg().map((l) => l.toFixed(2));
    console.log(`\n=== ${name} === (load average ${load.join(" ")})`);
    const code = await runChild(name, options, outcomes);
    console.log(
      `(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s${code === 0 ? "" : `, exit status ${code}`})`,
    );
    if (code !== 0) crashed++;
  }
  console.log("\nSummary of targets");
  for (const o of outcomes)
    console.log(`  [${o.met ? "met" : "NOT MET"}] ${o.bench}: ${o.target} — ${o.figure}`);
  process.exit(crashed > 0 ? 1 : 0);
}

await main();
