import type { ExporterConfig } from './types.js';

/**
 * A `regex` value whose capture group reads `digits.digits` (`'^(\d+\.\d+)'`)
 * turns versions into decimals: kernel 5.10 becomes 5.1, below 5.4; go1.20
 * 1.2, below go1.3. `check` warns and names `parser: version`, whose numbers
 * keep the version order. A heuristic on the pattern's text: the group's
 * source is found by pairing parentheses (escapes and character classes
 * skipped); lookarounds and `(?:` are not capture groups.
 */

const DECIMAL_IN_GROUP = /(?:\\d|\[0-9\])[+*]?(?:\{\d*,?\d*\})?\\\.(?:\\d|\[0-9\])/;

/** Source text of each capture group, by number (1-based) and by name. */
function captureGroups(pattern: string): { byNumber: string[]; byName: Map<string, string> } {
  const byNumber: string[] = [];
  const byName = new Map<string, string>();
  const open: Array<{ at: number; index: number | null; name: string | null }> = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') {
      const named = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(pattern.slice(i));
      const capturing = named !== null || pattern[i + 1] !== '?';
      open.push({ at: i, index: capturing ? byNumber.push('') : null, name: named?.[1] ?? null });
    } else if (c === ')') {
      const g = open.pop();
      if (g?.index != null) {
        const text = pattern.slice(g.at, i + 1);
        byNumber[g.index - 1] = text;
        if (g.name !== null) byName.set(g.name, text);
      }
    }
  }
  return { byNumber, byName };
}

export function decimalVersionWarnings(config: ExporterConfig): string[] {
  const warnings: string[] = [];
  for (const t of config.transformations) {
    const spec = t.value?.spec;
    if (spec?.parser !== 'regex') continue;
    const group = spec.group ?? 1;
    const groups = captureGroups(spec.pattern);
    const text = typeof group === 'string' ? groups.byName.get(group) : group === 0 ? spec.pattern : groups.byNumber[group - 1];
    if (text !== undefined && DECIMAL_IN_GROUP.test(text)) {
      warnings.push(
        `"${t.name}" reads a dotted version as a decimal number (${spec.pattern}), which breaks the version order (5.10 becomes 5.1, below 5.4): use value: { parser: version } (parts: 2 for major.minor)`,
      );
    }
  }
  return warnings;
}
