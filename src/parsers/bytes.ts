import type { z } from 'zod';
import { fail, guard, ok, scale } from './outcome.js';
import { defineParser, parserSchema, type ValueParser } from './types.js';

/** `bytes`: SI, IEC and Kubernetes quantities (`512Mi`, `1G`, `250m`) → base units. */
const schema = parserSchema('bytes', {});
export type BytesSpec = z.infer<typeof schema>;

/**
 * `bytes` → base units (bytes, or cores for a CPU quantity).
 *
 * A number (sign, fraction and exponent allowed: `1.5`, `1e3`), an optional
 * space, then a case-sensitive suffix:
 * - none or `B`: ×1;
 * - Kubernetes decimal SI: `n` `u` `m` (`250m` = 0.25) and `k` `M` `G` `T` `P` `E`;
 *   `K` is accepted as `k`;
 * - SI with a `B`: `kB`/`KB` `MB` `GB` `TB` `PB` `EB` are powers of 1000. `KB`
 *   means 1000, as in SI and IEC 80000-13, although JEDEC and Windows use it
 *   for 1024; write `KiB` for 1024;
 * - IEC / Kubernetes binary: `Ki` `Mi` `Gi` `Ti` `Pi` `Ei`, with or without `B`.
 * As in Kubernetes, `1E` is an exabyte and `1E3` is 1000 (an exponent).
 * Failures: `not_a_quantity` (no number) and `unknown_unit` (e.g. `1gb`, `1mB`).
 */

const UNITS = new Map<string, number>([
  ['', 1],
  ['B', 1],
  ['n', 1e-9],
  ['u', 1e-6],
  ['m', 1e-3],
  ['k', 1e3],
]);
['K', 'M', 'G', 'T', 'P', 'E'].forEach((p, i) => {
  const si = 1000 ** (i + 1);
  const iec = 1024 ** (i + 1);
  if (p !== 'K') UNITS.set(p, si);
  UNITS.set(`${p}B`, si);
  UNITS.set(`${p}i`, iec);
  UNITS.set(`${p}iB`, iec);
});
UNITS.set('K', 1e3).set('kB', 1e3);

/** The suffix is letters only, so backtracking into the number stays linear. */
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?) ?([A-Za-z]*)$/;

export function compileBytes(_spec: BytesSpec): ValueParser {
  return guard((trimmed) => {
    const m = QUANTITY.exec(trimmed);
    if (!m) return fail('not_a_quantity');
    const factor = UNITS.get(m[2] ?? '');
    return factor === undefined ? fail('unknown_unit') : ok(scale(Number(m[1]), factor));
  });
}

export const bytesParser = defineParser(schema, compileBytes);
