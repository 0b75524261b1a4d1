/**
 * Canonical text of a label set: pairs sorted by name, values escaped as the
 * Prometheus text and OpenMetrics formats require (`\` → `\\`, `"` → `\"`,
 * newline → `\n`), e.g. `cluster="prod",node="a\"b"`. Two label sets are equal
 * exactly when their texts are equal, so the text doubles as a map key.
 *
 * Hand-written because it runs once per output series per run (the hot path of
 * a transformation); the fast path skips the replace when nothing needs escaping.
 */
// Lone UTF-16 surrogates become U+FFFD when written as UTF-8: replace them here, so two values
// that differ only in one are the same series (and the collision rule applies) instead of two
// identical lines in the output.
const NEEDS_ESCAPE = /[\\"\n]|\p{Cs}/u;

export function escapeLabelValue(v: string): string {
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\p{Cs}/gu, '\uFFFD');
}

/** `names` must be sorted and unique; `values[i]` belongs to `names[i]`. Empty values are omitted. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const v = values[i];
    if (v === undefined || v === '') continue;
    if (out !== '') out += ',';
    out += `${names[i]}="${escapeLabelValue(v)}"`;
  }
  return out;
}

/** Reverse of `labelText`, for status pages and tests (not a hot path). */
export function parseLabelText(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const raw = m[2] ?? '';
    out.push([m[1] ?? '', raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))]);
  }
  return out;
}
