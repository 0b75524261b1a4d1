import { Writable } from 'node:stream';

function quote(v: string): string {
  return /^[^\s"=\\]+$/.test(v) ? v : JSON.stringify(v);
}

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return quote(JSON.stringify(v) ?? 'null');
}

/** One pino JSON record as a logfmt line: `ts=… level=… msg="…" key=value …`. */
export function toLogfmt(record: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = record;
  const parts = [`ts=${fieldValue(time)}`, `level=${fieldValue(level)}`];
  if (msg !== undefined) parts.push(`msg=${fieldValue(msg)}`);
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    if (k === 'err' && v !== null && typeof v === 'object') {
      parts.push(`err=${fieldValue((v as { message?: unknown }).message ?? v)}`);
    } else parts.push(`${k}=${fieldValue(v)}`);
  }
  return `${parts.join(' ')}\n`;
}

/**
 * A pino destination that rewrites its JSON lines as logfmt (the Prometheus
 * ecosystem's default log format). Logging is rare here (state changes, not
 * per run), so the parse per line costs nothing that matters.
 */
export function logfmtDestination(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        try {
          out.write(toLogfmt(JSON.parse(line) as Record<string, unknown>));
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
