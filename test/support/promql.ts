/** Shared Prometheus-API (/api/v1/query) client used for both VictoriaMetrics and Prometheus. */

export interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

interface ApiResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/** Labels of a sample without __name__, handy for deepEqual assertions. */
export function labelsOf(sample: InstantSample): Record<string, string> {
  const rest: Record<string, string> = {};
  for (const [name, value] of Object.entries(sample.metric)) {
    if (name !== '__name__') rest[name] = value;
  }
  return rest;
}

/** Sort samples by their label set so assertions do not depend on response order. */
export function sortSamples(samples: InstantSample[]): InstantSample[] {
  const key = (s: InstantSample): string => JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return [...samples].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * POST an instant query (form-encoded) and return the vector result.
 * Throws on HTTP errors, status != "success", or a non-vector result.
 */
export async function instantQuery(baseUrl: string, expr: string, extraParams: Record<string, string> = {}): Promise<InstantSample[]> {
  const body = new URLSearchParams({ query: expr, ...extraParams });
  const res = await fetch(`${baseUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed: ApiResponse;
  try {
    parsed = JSON.parse(text) as ApiResponse;
  } catch {
    throw new Error(`query ${JSON.stringify(expr)} at ${baseUrl}: HTTP ${res.status}, non-JSON body: ${text.slice(0, 500)}`);
  }
  if (!res.ok || parsed.status !== 'success') {
    throw new Error(
      `query ${JSON.stringify(expr)} at ${baseUrl} failed: HTTP ${res.status} ${parsed.errorType ?? ''} ${parsed.error ?? text.slice(0, 500)}`,
    );
  }
  if (parsed.data?.resultType !== 'vector' || !Array.isArray(parsed.data.result)) {
    throw new Error(`query ${JSON.stringify(expr)} at ${baseUrl}: expected a vector result, got ${String(parsed.data?.resultType)}`);
  }
  return parsed.data.result as InstantSample[];
}

/** Throw a descriptive error unless res is 2xx. */
export async function expectOk(res: Response, what: string): Promise<string> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} failed: HTTP ${res.status}: ${text.slice(0, 1000)}`);
  return text;
}
