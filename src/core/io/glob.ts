// Minimal glob matching for exclude settings (`**/node_modules/**`, `data/*.csv`, `**/*.tmp`):
// `**` any number of folders, `*` any characters but `/`, `?` one character, `{a,b}` alternatives.

function escape(ch: string): string {
  return /[\\^$.|+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
}

/** Compiles a glob into a RegExp matching whole `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let inGroup = false;
  const g = glob.replace(/^\.\//, '');
  while (i < g.length) {
    const ch = g[i];
    if (ch === '*' && g[i + 1] === '*') {
      const slashAfter = g[i + 2] === '/';
      re += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 3 : 2;
      continue;
    }
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '{') {
      re += '(?:';
      inGroup = true;
    } else if (ch === '}' && inGroup) {
      re += ')';
      inGroup = false;
    } else if (ch === ',' && inGroup) re += '|';
    else re += escape(ch);
    i++;
  }
  return new RegExp(`^${re}$`);
}

/** A matcher for several globs: true when the relative path (or one of its parent folders) matches one. */
export function globMatcher(globs: readonly string[]): (relPath: string) => boolean {
  const res = globs.filter((g) => g.trim() !== '').map(globToRegExp);
  if (!res.length) return () => false;
  return (relPath) => {
    const p = relPath.replace(/^\.\//, '');
    if (res.some((r) => r.test(p))) return true;
    // `**/build/**` style globs also exclude the folder itself
    return res.some((r) => r.test(`${p}/`));
  };
}
