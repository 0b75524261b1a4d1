import { redactUrl } from '../model/url.js';
import type { ExporterConfig, HttpClientConfig, SourceConfig } from './types.js';

const SECRET = '<secret>';

/** Userinfo, query values and the fragment blanked (`?api_key=<secret>`): they may carry keys. */
export { redactUrl };

/** An HTTP client's settings for the status page (a source kind's `redact` spreads it). */
export function redactedHttp(h: HttpClientConfig): Record<string, unknown> {
  return {
    url: redactUrl(h.url),
    timeout_seconds: h.timeoutSeconds,
    ...(h.basicAuth
      ? {
          basic_auth: {
            username: h.basicAuth.username,
            ...(h.basicAuth.passwordFile ? { password_file: h.basicAuth.passwordFile } : { password: SECRET }),
          },
        }
      : {}),
    ...(h.bearerToken ? { bearer_token: SECRET } : {}),
    ...(h.bearerTokenFile ? { bearer_token_file: h.bearerTokenFile } : {}),
    ...(h.headers.size > 0 ? { headers: Object.fromEntries([...h.headers.keys()].map((k) => [k, SECRET])) } : {}),
    tls_config: h.tls,
    max_response_bytes: h.maxResponseBytes,
  };
}

/**
 * The running configuration as plain data for the status page, with every
 * secret (passwords, tokens, header values, URLs' userinfo and query values)
 * replaced by `<secret>`. Each source is shown as its kind's `redact` says
 * (src/registry/redact.ts binds that).
 */
export function redactedConfigWith(config: ExporterConfig, source: (s: SourceConfig) => Record<string, unknown>): Record<string, unknown> {
  return {
    file: config.file,
    exporter_address: config.listenHost,
    exporter_port: config.listenPort,
    max_concurrent_requests: config.maxConcurrentRequests,
    sources: [...config.sources.values()].map(source),
    metric_transformations: config.transformations,
    ...(config.remoteWrite.length > 0
      ? { remote_write: config.remoteWrite.map((rw) => ({ name: rw.name, ...redactedHttp(rw.http), queue_config: rw.queue })) }
      : {}),
  };
}
