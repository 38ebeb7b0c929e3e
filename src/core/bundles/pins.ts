// Dependency pins of a Python workspace, read from the files people pin with: requirements*.txt,
// pyproject.toml (PEP 621 `[project]` and Poetry's `[tool.poetry.*dependencies]`), Pipfile.lock,
// poetry.lock and conda's environment.yml. Small hand-written readers for the subset these files
// use (docs/deploy.md#version-drift): the TOML reader knows tables, arrays of tables, dotted keys,
// strings, arrays and inline tables, and skips what it does not need (dates, numbers, booleans);
// the YAML reader knows the `dependencies:` list of an environment file and its nested `pip:` list.
import { baseName } from '../io/fileSource';

/** What kind of file a pin came from. */
export type PinSource = 'requirements' | 'pyproject' | 'poetry' | 'pipfile-lock' | 'poetry-lock' | 'conda';

/** One dependency pin: a package and the versions the file allows. */
export interface Pin {
  /** Normalised name (PEP 503: lower case, runs of `-_.` as one `-`). */
  name: string;
  /** PEP 440 specifiers, comma-separated (`==1.2.1`, `>=1.0,<2`), `''` when any version goes. */
  spec: string;
  /** The specifier as the file wrote it (`^1.2`, `=1.2`, `>=1.0`). */
  written: string;
  file: string;
  /** 1-based line of the pin, when known. */
  line: number | null;
  source: PinSource;
}

/** A pin file that could not be read: the rest goes on without its pins. */
export interface PinFileError {
  file: string;
  message: string;
}

/** PEP 503 name normalisation. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** Whether a file name is one of the pin files read here. */
export function isPinFile(name: string): boolean {
  return (
    /^requirements.*\.txt$/i.test(name) || ['pyproject.toml', 'pipfile.lock', 'poetry.lock', 'environment.yml', 'environment.yaml'].includes(name.toLowerCase())
  );
}

/** Reads the pins of one file (chosen by its name); throws an Error naming the line on bad syntax. */
export function readPins(path: string, text: string): Pin[] {
  const name = baseName(path).toLowerCase();
  if (name.endsWith('.txt')) return readRequirements(path, text);
  if (name === 'pyproject.toml') return readPyproject(path, text);
  if (name === 'pipfile.lock') return readPipfileLock(path, text);
  if (name === 'poetry.lock') return readPoetryLock(path, text);
  return readCondaEnvironment(path, text);
}

/** A PEP 508 requirement (`scikit-learn[alldeps]>=1.0,<2 ; python_version > "3.8"`): name and specifiers. */
export function parseRequirement(text: string): { name: string; spec: string } | null {
  const noMarker = text.split(';')[0].trim();
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(\(?)([^)]*)\)?\s*$/.exec(noMarker);
  if (!m) return null;
  if (/^\s*@/.test(m[4])) return { name: normalizeName(m[1]), spec: '' }; // a direct URL reference: no version
  return { name: normalizeName(m[1]), spec: m[4].replace(/\s+/g, '') };
}

/** requirements*.txt: one PEP 508 requirement a line; options (`-r`, `-e`, `--hash`), URLs and comments skipped. */
export function readRequirements(path: string, text: string): Pin[] {
  const out: Pin[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i];
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (!line || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line) || line.startsWith('.') || line.startsWith('/')) continue;
    line = line.replace(/\s--hash=\S+/g, '').trim();
    const r = parseRequirement(line);
    if (r) out.push({ ...r, written: r.spec, file: path, line: start + 1, source: 'requirements' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TOML subset

type TomlValue = string | TomlValue[] | { [k: string]: TomlValue } | { raw: string };

/** Key/value pairs of a TOML document with the table path and line of each. */
interface TomlEntry {
  table: string[];
  /** Index of the array-of-tables element (`[[package]]`), or -1. */
  element: number;
  key: string[];
  value: TomlValue;
  line: number;
}

class TomlReader {
  private i = 0;
  /** Offsets where lines start (for line numbers by binary search: lock files are long). */
  private readonly starts: number[] = [0];
  constructor(
    private readonly s: string,
    private readonly file: string,
  ) {
    for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) === 10) this.starts.push(k + 1);
  }

  private line(): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= this.i) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private fail(what: string): never {
    throw new Error(`${this.file}: line ${this.line()}: ${what} (this reader knows the TOML subset of dependency files)`);
  }

  private skipSpace(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.i++;
      else if (c === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      else return;
    }
  }

  private key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipSpace(false);
      const c = this.s[this.i];
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i, this.i + 200));
        if (!m) this.fail('expected a key');
        parts.push(m[0]);
        this.i += m[0].length;
      }
      this.skipSpace(false);
      if (this.s[this.i] !== '.') return parts;
      this.i++;
    }
  }

  private string(): string {
    const q = this.s[this.i];
    const triple = this.s.startsWith(q.repeat(3), this.i);
    this.i += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string');
      if (triple ? this.s.startsWith(q.repeat(3), this.i) : this.s[this.i] === q) {
        this.i += triple ? 3 : 1;
        return out;
      }
      const c = this.s[this.i++];
      if (c === '\n' && !triple) this.fail('newline in a string');
      if (c === '\\' && q === '"') {
        const e = this.s[this.i++];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
        if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          out += String.fromCodePoint(parseInt(this.s.slice(this.i, this.i + n), 16));
          this.i += n;
        } else if (e === '\n' || e === '\r' || e === ' ') {
          while (/\s/.test(this.s[this.i] ?? '')) this.i++; // line-ending backslash
        } else out += map[e] ?? e;
      } else out += c;
    }
  }

  private value(): TomlValue {
    this.skipSpace(false);
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.string();
    if (c === '[') {
      this.i++;
      const items: TomlValue[] = [];
      for (;;) {
        this.skipSpace(true);
        if (this.s[this.i] === ']') {
          this.i++;
          return items;
        }
        items.push(this.value());
        this.skipSpace(true);
        if (this.s[this.i] === ',') this.i++;
        else if (this.s[this.i] !== ']') this.fail('expected , or ] in an array');
      }
    }
    if (c === '{') {
      this.i++;
      const table: Record<string, TomlValue> = {};
      for (;;) {
        this.skipSpace(false);
        if (this.s[this.i] === '}') {
          this.i++;
          return table;
        }
        const k = this.key();
        if (this.s[this.i] !== '=') this.fail('expected = in an inline table');
        this.i++;
        setPath(table, k, this.value());
        this.skipSpace(false);
        if (this.s[this.i] === ',') this.i++;
        else if (this.s[this.i] !== '}') this.fail('expected , or } in an inline table');
      }
    }
    const m = /^[^\s,\]}#]+/.exec(this.s.slice(this.i, this.i + 200));
    if (!m) this.fail('expected a value');
    this.i += m[0].length;
    // A date-time may hold one space (`1979-05-27 07:32:00`).
    const more = /^ \d\d:\d\d[^\s,\]}#]*/.exec(this.s.slice(this.i, this.i + 60));
    if (more) this.i += more[0].length;
    return { raw: m[0] };
  }

  entries(): TomlEntry[] {
    const out: TomlEntry[] = [];
    let table: string[] = [];
    let element = -1;
    const counts = new Map<string, number>();
    for (;;) {
      this.skipSpace(true);
      if (this.i >= this.s.length) return out;
      if (this.s[this.i] === '[') {
        const arrayOf = this.s[this.i + 1] === '[';
        this.i += arrayOf ? 2 : 1;
        table = this.key();
        if (this.s[this.i] !== ']' || (arrayOf && this.s[this.i + 1] !== ']')) this.fail('expected ] after a table name');
        this.i += arrayOf ? 2 : 1;
        if (arrayOf) {
          const k = table.join('.');
          element = counts.get(k) ?? 0;
          counts.set(k, element + 1);
        } else element = -1;
        continue;
      }
      const line = this.line();
      const key = this.key();
      if (this.s[this.i] !== '=') this.fail('expected =');
      this.i++;
      out.push({ table, element, key, value: this.value(), line });
      this.skipSpace(false);
      if (this.i < this.s.length && this.s[this.i] !== '\n') this.fail('expected the end of the line');
    }
  }
}

function setPath(obj: Record<string, TomlValue>, path: string[], v: TomlValue): void {
  let o = obj;
  for (const p of path.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null || Array.isArray(o[p])) o[p] = {};
    o = o[p] as Record<string, TomlValue>;
  }
  o[path[path.length - 1]] = v;
}

/** Parses a TOML document of the subset into entries (exported for tests). */
export function tomlEntries(file: string, text: string): TomlEntry[] {
  return new TomlReader(text, file).entries();
}

/** Poetry's version constraint (`^1.2.3`, `~1.2`, `1.2.3`, `>=1,<2`, `*`) as PEP 440 specifiers. */
export function poetrySpec(c: string): string {
  return c
    .split(',')
    .map((part) => part.trim())
    .filter((p) => p && p !== '*')
    .map((p) => {
      const caret = /^\^(\d+(?:\.\d+)*)$/.exec(p);
      if (caret) {
        const n = caret[1].split('.').map(Number);
        const i = n.findIndex((x) => x !== 0);
        const at = i < 0 ? n.length - 1 : Math.min(i, n.length - 1);
        const upper = n.slice(0, at + 1).map((x, k) => (k === at ? x + 1 : x));
        return `>=${caret[1]},<${upper.join('.')}`;
      }
      const tilde = /^~(\d+(?:\.\d+)*)$/.exec(p);
      if (tilde) {
        const n = tilde[1].split('.').map(Number);
        const keep = n.length === 1 ? 1 : 2;
        const upper = n.slice(0, keep).map((x, k) => (k === keep - 1 ? x + 1 : x));
        return `>=${tilde[1]},<${upper.join('.')}`;
      }
      if (/^\d/.test(p)) return `==${p}`;
      return p.replace(/\s+/g, '');
    })
    .join(',');
}

/** pyproject.toml: PEP 621 `project.dependencies` / `optional-dependencies`, Poetry's dependency tables. */
export function readPyproject(path: string, text: string): Pin[] {
  const out: Pin[] = [];
  const lines = text.split(/\r?\n/);
  for (const e of tomlEntries(path, text)) {
    const t = e.table.join('.');
    const full = [...e.table, ...e.key].join('.');
    if (full === 'project.dependencies' || t === 'project.optional-dependencies' || full.startsWith('project.optional-dependencies.')) {
      const items = Array.isArray(e.value) ? e.value : [];
      for (const item of items) {
        if (typeof item !== 'string') continue;
        const r = parseRequirement(item);
        // The item's own line (arrays span lines): the first line from the key's holding it.
        const at = lines.findIndex((l, k) => k >= e.line - 1 && l.includes(item));
        if (r) out.push({ ...r, written: r.spec, file: path, line: at >= 0 ? at + 1 : e.line, source: 'pyproject' });
      }
      continue;
    }
    const poetryTable = /^tool\.poetry(\.group\.[^.]+)?\.(dev-)?dependencies$/.test(t);
    if (poetryTable && e.key.length === 1) {
      const name = normalizeName(e.key[0]);
      if (name === 'python') continue;
      const written =
        typeof e.value === 'string'
          ? e.value
          : typeof e.value === 'object' && !Array.isArray(e.value) && typeof (e.value as Record<string, TomlValue>).version === 'string'
            ? ((e.value as Record<string, TomlValue>).version as string)
            : '';
      out.push({ name, spec: poetrySpec(written), written, file: path, line: e.line, source: 'poetry' });
    }
  }
  return out;
}

/** poetry.lock: `[[package]]` tables with `name` and `version` (exact versions). */
export function readPoetryLock(path: string, text: string): Pin[] {
  const byElement = new Map<number, { name?: string; version?: string; line: number }>();
  for (const e of tomlEntries(path, text)) {
    if (e.table.join('.') !== 'package' || e.key.length !== 1 || typeof e.value !== 'string') continue;
    const p = byElement.get(e.element) ?? { line: e.line };
    if (e.key[0] === 'name') p.name = e.value;
    if (e.key[0] === 'version') p.version = e.value;
    byElement.set(e.element, p);
  }
  const out: Pin[] = [];
  for (const p of byElement.values()) {
    if (p.name && p.version)
      out.push({ name: normalizeName(p.name), spec: `==${p.version}`, written: p.version, file: path, line: p.line, source: 'poetry-lock' });
  }
  return out;
}

/** Pipfile.lock (JSON): `default` and `develop` sections, each package with its `version` (`==1.2.1`). */
export function readPipfileLock(path: string, text: string): Pin[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const out: Pin[] = [];
  const lines = text.split(/\r?\n/);
  for (const section of ['default', 'develop']) {
    const pkgs = (doc as Record<string, unknown>)?.[section];
    if (typeof pkgs !== 'object' || pkgs === null) continue;
    for (const [name, info] of Object.entries(pkgs as Record<string, unknown>)) {
      const v = (info as { version?: unknown })?.version;
      const written = typeof v === 'string' ? v : '';
      const at = lines.findIndex((l) => l.includes(`"${name}"`));
      out.push({
        name: normalizeName(name),
        spec: written === '*' ? '' : written.replace(/\s+/g, ''),
        written,
        file: path,
        line: at >= 0 ? at + 1 : null,
        source: 'pipfile-lock',
      });
    }
  }
  return out;
}

/** A conda match spec (`scikit-learn=1.2`, `scikit-learn==1.2.1=py311_0`, `conda-forge::numpy>=1.24`) as PEP 440 specifiers. */
export function condaSpec(spec: string): { name: string; spec: string } | null {
  const s = spec.replace(/^[^:\s]+::/, '').trim();
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$/.exec(s);
  if (!m) return null;
  const rest = m[2].replace(/\s+/g, '');
  if (!rest) return { name: normalizeName(m[1]), spec: '' };
  if (/^[<>!~]/.test(rest) || rest.startsWith('==')) return { name: normalizeName(m[1]), spec: rest.replace(/^==([^=]+)=.*$/, '==$1') };
  // name=version[=build]: conda's single `=` matches the version as a prefix (1.2 -> 1.2.*).
  const v = rest.replace(/^=/, '').split('=')[0];
  return { name: normalizeName(m[1]), spec: v.includes('*') ? `==${v}` : `==${v}.*` };
}

/** conda environment.yml: the `dependencies:` list (conda match specs) and its nested `pip:` list (PEP 508). */
export function readCondaEnvironment(path: string, text: string): Pin[] {
  const out: Pin[] = [];
  const lines = text.split(/\r?\n/);
  let inDeps = false;
  let depsIndent = -1;
  let pipIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\s+#.*$/, '').replace(/^#.*$/, '');
    if (!raw.trim()) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (indent === 0 && !line.startsWith('-')) {
      inDeps = /^dependencies\s*:\s*$/.test(line);
      depsIndent = -1;
      pipIndent = -1;
      continue;
    }
    if (!inDeps || !line.startsWith('-')) continue;
    const item = line
      .slice(1)
      .trim()
      .replace(/^["']|["']$/g, '');
    if (depsIndent < 0) depsIndent = indent;
    if (pipIndent >= 0 && indent > pipIndent) {
      const r = parseRequirement(item);
      if (r && !item.startsWith('-')) out.push({ ...r, written: r.spec, file: path, line: i + 1, source: 'requirements' });
      continue;
    }
    pipIndent = -1;
    if (/^pip\s*:/.test(item)) {
      pipIndent = indent;
      continue;
    }
    const r = condaSpec(item);
    if (r) out.push({ ...r, written: item.replace(/^[^=<>!~\s]*\s*/, ''), file: path, line: i + 1, source: 'conda' });
  }
  return out;
}
