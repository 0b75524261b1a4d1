import { buildHttpClient, toSeconds, type BuildContext } from './build-source.js';
import { DEFAULTS } from './defaults.js';
import type { RawConfig, RawRemoteWrite } from './schema.js';
import type { RemoteWriteConfig, RemoteWriteQueueConfig } from './types.js';

/** The URL as a name: no credentials (moved out by the loader), no query (it may carry a key). */
function defaultName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}

function buildQueue(ctx: BuildContext, raw: RawRemoteWrite['queue_config'], path: (string | number)[]): RemoteWriteQueueConfig {
  const queue: RemoteWriteQueueConfig = {
    capacity: raw?.capacity ?? DEFAULTS.remoteWriteCapacity,
    maxSamplesPerSend: raw?.max_samples_per_send ?? DEFAULTS.remoteWriteMaxSamplesPerSend,
    minBackoffSeconds: toSeconds(raw?.min_backoff) ?? DEFAULTS.remoteWriteMinBackoffSeconds,
    maxBackoffSeconds: toSeconds(raw?.max_backoff) ?? DEFAULTS.remoteWriteMaxBackoffSeconds,
    maxShards: raw?.max_shards ?? DEFAULTS.remoteWriteMaxShards,
  };
  if (queue.capacity < queue.maxSamplesPerSend) {
    ctx.problems.add(
      [...path, 'capacity'],
      `capacity (${queue.capacity}) must be at least max_samples_per_send (${queue.maxSamplesPerSend})`,
    );
  }
  if (queue.minBackoffSeconds > queue.maxBackoffSeconds) {
    ctx.problems.add(
      [...path, 'min_backoff'],
      `min_backoff (${queue.minBackoffSeconds}s) must not exceed max_backoff (${queue.maxBackoffSeconds}s)`,
    );
  }
  return queue;
}

/** `remote_write:` endpoints; names must be unique (they label self-metrics and logs). */
export function buildRemoteWrite(ctx: BuildContext, raw: RawConfig): RemoteWriteConfig[] {
  const seen = new Set<string>();
  return (raw.remote_write ?? []).map((rw, i) => {
    const path = ['remote_write', i];
    const http = buildHttpClient(ctx, rw, path, DEFAULTS.remoteWriteTimeoutSeconds);
    const name = rw.name ?? defaultName(http.url);
    if (seen.has(name)) {
      ctx.problems.add(
        rw.name === undefined ? [...path, 'url'] : [...path, 'name'],
        `duplicate remote_write name "${name}"${rw.name === undefined ? ' (set name: to tell them apart)' : ''}`,
      );
    }
    seen.add(name);
    return { name, http, queue: buildQueue(ctx, rw.queue_config, [...path, 'queue_config']) };
  });
}
