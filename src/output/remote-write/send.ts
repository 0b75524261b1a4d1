import type { RemoteWriteConfig } from '../../config/types.js';
import type { HttpClient } from '../../sources/http-client.js';
import { postOnce, type SendFailure } from '../delivery/http-send.js';

export { parseRetryAfter, type SendFailure } from '../delivery/http-send.js';

/**
 * POSTs one remote-write request body (see delivery/http-send.ts: resolves
 * undefined on success or with why it failed; rejects only when stopped).
 */
export function sendOnce(
  client: HttpClient,
  config: RemoteWriteConfig,
  body: Buffer,
  userAgent: string,
  stop: AbortSignal,
): Promise<SendFailure | undefined> {
  const spec = {
    method: 'POST',
    body,
    contentType: 'application/x-protobuf',
    accept: '*/*',
    headers: { 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'user-agent': userAgent },
  } as const;
  const target = { url: config.http.url, timeoutSeconds: config.http.timeoutSeconds, deadlineLabel: 'remote write request timeout' };
  return postOnce(client, target, spec, stop);
}
