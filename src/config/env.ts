const REF_RE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type EnvResult = { ok: true; value: string } | { ok: false; missing: string };

/**
 * Expands `${NAME}` and `${NAME:-fallback}` from the environment; `$$` is a
 * literal `$`. An unset variable without a fallback is an error that names the
 * variable (never a value).
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv = process.env): EnvResult {
  let missing: string | undefined;
  const value = text.replace(REF_RE, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    const v = env[name ?? ''];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing ??= name;
    return '';
  });
  return missing === undefined ? { ok: true, value } : { ok: false, missing };
}
