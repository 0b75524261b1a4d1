/**
 * The core's lenient number parser for label values.
 *
 * Accepted: plain decimal and float strings (`28`, `-1.5`, `.5`, `1e3`), with
 * surrounding whitespace, one leading `v`/`V` (`v28`), and one trailing `+`
 * (GKE and EKS report `minor="28+"`). Everything else — versions with two dots
 * (`1.28.3`), hex, `NaN`, `Inf`, the empty string — is not a number here and
 * returns `undefined`, so the transformation's default/skip rule applies.
 */
const NUMBER_RE = /^[vV]?([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\+?$/;

export function parseLenientNumber(raw: string): number | undefined {
  const m = NUMBER_RE.exec(raw.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}
