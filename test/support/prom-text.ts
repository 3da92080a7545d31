/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to prove /metrics
 * parses: every line is a comment (`# HELP`, `# TYPE`) or a sample `name{labels} value`, every
 * sample belongs to a declared family, and values are numbers.
 */

/** One sample. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parsed exposition: families with their type, and samples. */
export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
const SUFFIXES = ["_bucket", "_sum", "_count", "_total", "_created", ""];

function parseValue(s: string, line: string): number {
  if (s === "+Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  // Prometheus parses values with Go's ParseFloat, which takes NaN in any case (prom-client writes "Nan").
  if (s.toLowerCase() === "nan") return Number.NaN;
  const n = Number(s);
  if (s === "" || Number.isNaN(n)) throw new Error(`bad value in: ${line}`);
  return n;
}

/** Parses `text`; throws with the offending line on any deviation. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) throw new Error(`bad comment: ${line}`);
      if (m[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(m[3] ?? ""))
          throw new Error(`bad type: ${line}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let lm = LABEL.exec(body); lm; lm = LABEL.exec(body)) {
      labels[lm[1]!] = lm[2]!;
      consumed = LABEL.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels: ${line}`);
    const name = m[1]!;
    const family = SUFFIXES.map((s) => (s && name.endsWith(s) ? name.slice(0, -s.length) : name)).find((f) =>
      types.has(f),
    );
    if (!family) throw new Error(`sample without a TYPE: ${line}`);
    samples.push({ name, labels, value: parseValue(m[3]!, line) });
  }
  return { types, samples };
}

/** The value of the sample `name` with exactly these labels (undefined when absent). */
export function sampleValue(
  e: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return e.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)
    ?.value;
}
