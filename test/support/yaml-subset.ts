/**
 * A strict reader of the block-style YAML that config files such as docs/prometheus-alerts.yml are
 * written in (the project has no YAML dependency, and one file does not justify adding one):
 * nested mappings and sequences by indentation, plain, single- and double-quoted scalars, literal
 * block scalars (`|`, `|-`), comments. Anything else — flow collections, anchors, tags, folded
 * scalars, tabs, duplicate keys, bad indentation — throws with the line number, so a file it accepts
 * means the same to Prometheus as it does here. Every scalar is read as a string.
 */

/** A parsed value. */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  no: number;
  indent: number;
  text: string;
}

const KEY = /^([A-Za-z_][\w.-]*):(?: +(.*))?$/;

/** Parses `source`; see the module comment for what is accepted. */
export function parseYamlSubset(source: string): YamlValue {
  const raw = source.split("\n");
  const lines: Line[] = [];
  raw.forEach((text, i) => {
    if (text.includes("\t")) throw new Error(`line ${i + 1}: tab character`);
    lines.push({ no: i + 1, indent: text.length - text.trimStart().length, text: text.trimEnd() });
  });
  const r = new Reader(lines);
  r.skipBlank();
  const first = r.peek();
  if (!first) throw new Error("empty document");
  const value = r.node(first.indent);
  r.skipBlank();
  const rest = r.peek();
  if (rest) throw new Error(`line ${rest.no}: unexpected indentation`);
  return value;
}

class Reader {
  #i = 0;
  readonly #lines: Line[];

  constructor(lines: Line[]) {
    this.#lines = lines;
  }

  /** Skips blank and comment-only lines. */
  skipBlank(): void {
    while (this.#i < this.#lines.length) {
      const t = this.#lines[this.#i]!.text.trim();
      if (t !== "" && !t.startsWith("#")) return;
      this.#i++;
    }
  }

  peek(): Line | undefined {
    this.skipBlank();
    return this.#lines[this.#i];
  }

  /** The mapping or sequence whose lines start at `indent`. */
  node(indent: number): YamlValue {
    const line = this.peek()!;
    if (line.indent !== indent) throw new Error(`line ${line.no}: expected indentation ${indent}`);
    return isItem(line.text.trim()) ? this.#sequence(indent) : this.#mapping(indent);
  }

  #sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      const t = line.text.trim();
      if (!isItem(t)) throw new Error(`line ${line.no}: expected "- " in a sequence`);
      const content = t.slice(1).trimStart();
      if (content === "") {
        this.#i++;
        out.push(this.#child(indent, line));
      } else if (KEY.test(content)) {
        // `- key: value` opens a mapping whose further keys line up with `key`.
        const inner = indent + (t.length - content.length);
        this.#lines[this.#i] = { no: line.no, indent: inner, text: `${" ".repeat(inner)}${content}` };
        out.push(this.#mapping(inner));
      } else {
        this.#i++;
        out.push(scalar(content, line.no));
      }
    }
    this.#checkDedent(indent);
    return out;
  }

  #mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      const m = KEY.exec(line.text.trim());
      if (!m) throw new Error(`line ${line.no}: expected "key: value"`);
      const [, key, rest = ""] = m;
      if (Object.hasOwn(out, key!)) throw new Error(`line ${line.no}: duplicate key ${key}`);
      this.#i++;
      const value = rest.trim();
      if (value === "" || value.startsWith("#")) out[key!] = this.#child(indent, line);
      else if (/^\|-?$/.test(value)) out[key!] = this.#block(indent, value, line.no);
      else out[key!] = scalar(value, line.no);
    }
    this.#checkDedent(indent);
    return out;
  }

  #checkDedent(indent: number): void {
    const next = this.peek();
    if (next && next.indent > indent) throw new Error(`line ${next.no}: unexpected indentation`);
  }

  /** The nested node under `parent` (deeper indented), which must exist. */
  #child(indent: number, parent: Line): YamlValue {
    const next = this.peek();
    if (!next || next.indent <= indent) throw new Error(`line ${parent.no}: a key or item without a value`);
    return this.node(next.indent);
  }

  /** A `|` block scalar: the following lines indented deeper than its key, newlines kept. */
  #block(indent: number, header: string, no: number): string {
    const body: string[] = [];
    let blockIndent = -1;
    while (this.#i < this.#lines.length) {
      const line = this.#lines[this.#i]!;
      if (line.text.trim() === "") {
        body.push("");
        this.#i++;
        continue;
      }
      if (line.indent <= indent) break;
      if (blockIndent < 0) blockIndent = line.indent;
      if (line.indent < blockIndent) throw new Error(`line ${line.no}: block scalar dedented`);
      body.push(line.text.slice(blockIndent));
      this.#i++;
    }
    while (body.length > 0 && body[body.length - 1] === "") body.pop();
    if (body.length === 0) throw new Error(`line ${no}: empty block scalar`);
    const text = body.join("\n");
    return header === "|-" ? text : `${text}\n`;
  }
}

function isItem(t: string): boolean {
  return t === "-" || t.startsWith("- ");
}

/** A one-line scalar: quoted, or plain without anything YAML would read otherwise. */
function scalar(text: string, no: number): string {
  if (text.startsWith('"')) {
    const end = closingQuote(text, no);
    const rest = text.slice(end + 1).trim();
    if (rest !== "" && !rest.startsWith("#")) throw new Error(`line ${no}: text after a quoted string`);
    try {
      return JSON.parse(text.slice(0, end + 1)) as string;
    } catch {
      throw new Error(`line ${no}: an escape this reader does not know`);
    }
  }
  if (text.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(text);
    if (!m) throw new Error(`line ${no}: bad single-quoted string`);
    return m[1]!.replaceAll("''", "'");
  }
  const plain = text.replace(/\s+#.*$/, "");
  if (/^[[\]{}&*!|>%@`,?:-]/.test(plain) || plain.includes(": ") || plain.endsWith(":"))
    throw new Error(`line ${no}: a plain scalar YAML would read differently: ${text}`);
  return plain;
}

function closingQuote(text: string, no: number): number {
  for (let k = 1; k < text.length; k++) {
    if (text[k] === "\\") k++;
    else if (text[k] === '"') return k;
  }
  throw new Error(`line ${no}: unterminated string`);
}
