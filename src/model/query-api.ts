/**
 * The base-URL form of each query-API backend, named wherever a URL turns out
 * to be wrong: at load (a URL ending in /api/v1/query) and at run time (a
 * backend answering "unsupported path" or 404 to /api/v1/query).
 */
export const QUERY_API_BASE_URLS =
  'Base URLs: Prometheus http://host:9090, VictoriaMetrics single-node http://host:8428, VictoriaMetrics cluster http://vmselect:8481/select/0/prometheus, ' +
  'Mimir http://host:8080/prometheus, Thanos Query http://host:10902';

/**
 * The backend's own words from a plain-text error answer, first: VictoriaMetrics
 * starts them with `remoteAddr: "…"; requestURI: <the query, URL-encoded>; `,
 * which pushed the reason ("unsupported path requested: …") out of a short preview.
 */
export function backendErrorText(body: string): string {
  return body.replace(/^remoteAddr: "[^"]*"; requestURI: \S*; /, '');
}

/** Whether an error answer says the path below the base URL does not exist. */
export function isWrongPath(status: number, text: string): boolean {
  return status === 404 || /unsupported path requested|404 page not found/i.test(text);
}
