/**
 * RFC 9535 JSONPath forms that jsonpath-plus (the library that evaluates
 * `json:` mappings) reads differently, found at load so that none of them
 * silently matches nothing at run time:
 *
 *  - `[-1]`, the RFC's negative index (the last element), is read by
 *    jsonpath-plus as the property "-1" and matches nothing in an array. It is
 *    rewritten to the slice `[-1:]` (`[-2]` to `[-2:-1]`), which jsonpath-plus
 *    and the RFC both read as that one element.
 *  - a union with a negative index (`[0,-1]`) and a slice with a negative step
 *    (`[::-1]`) also match nothing there: load errors with a hint.
 *  - an RFC filter without parentheses (`[?@.a==1]`) matches nothing there:
 *    a load error asking for `[?(@.a==1)]`.
 *
 * Only brackets of the path itself are looked at: not those inside quotes or
 * inside a filter's or script's parentheses (JavaScript-like expressions).
 */

export type JsonPathCheck = { readonly path: string } | { readonly error: string };

const NEGATIVE_INDEX = /^\s*-(\d+)\s*$/;
const UNION_WITH_NEGATIVE = /^\s*-?\d+\s*(?:,\s*-?\d+\s*)+$/;
const NEGATIVE_STEP = /^\s*-?\d*\s*:\s*-?\d*\s*:\s*-\d+\s*$/;

/** The bracket content's replacement, or an error. Undefined: keep it. */
function rewriteBracket(inner: string): { text: string } | { error: string } | undefined {
  const neg = NEGATIVE_INDEX.exec(inner);
  if (neg) {
    const n = Number(neg[1]);
    if (n === 0) return undefined;
    return { text: n === 1 ? '-1:' : `-${n}:-${n - 1}` };
  }
  if (UNION_WITH_NEGATIVE.test(inner) && inner.includes('-')) {
    return {
      error: `the union [${inner.trim()}] has a negative index, which selects nothing here: select the elements separately (a negative index alone, like [-1], works)`,
    };
  }
  if (NEGATIVE_STEP.test(inner))
    return { error: `the slice [${inner.trim()}] has a negative step, which selects nothing here: use a positive step` };
  if (/^\s*\?/.test(inner) && !/^\s*\?\s*\(/.test(inner)) {
    return {
      error: `write the filter [${inner.trim()}] with parentheses, [?(${inner.trim().slice(1).trim()})]: without them it selects nothing here`,
    };
  }
  return undefined;
}

/** Index of the `]` closing the `[` at `open`, skipping quotes and parentheses; -1 if none. */
function closingBracket(path: string, open: number): number {
  let quote = '';
  let depth = 0;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ']' && depth === 0) return i;
  }
  return -1;
}

/** Rewrites `[-N]` to a slice; an error for the forms that would match nothing. */
export function checkJsonPath(path: string): JsonPathCheck {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const open = path.indexOf('[', i);
    if (open < 0) break;
    const close = closingBracket(path, open);
    if (close < 0) break; // unbalanced: jsonpath-plus reports it (build-transformation.ts)
    const inner = path.slice(open + 1, close);
    const r = rewriteBracket(inner);
    if (r && 'error' in r) return { error: r.error };
    out += `${path.slice(i, open)}[${r ? r.text : inner}]`;
    i = close + 1;
  }
  return { path: out + path.slice(i) };
}
