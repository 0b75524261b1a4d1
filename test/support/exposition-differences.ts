/**
 * Corpus cases (test/fixtures/exposition-corpus/) where we deliberately do
 * not read what Prometheus 2.42 reads, with the reason. The oracle e2e test
 * fails if any other case differs, or if one of these stops differing.
 */
export const KNOWN_DIFFERENCES: ReadonlyMap<string, string> = new Map([
  [
    'ok-nul-line-start.prom',
    'Prometheus stops reading at a NUL byte at the start of a line and keeps the samples before it; we fail the run rather than drop the rest of the body silently',
  ],
]);
