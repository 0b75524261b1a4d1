/**
 * Hand-written protobuf encoder for Prometheus remote-write 1.0's
 * `WriteRequest` (prompb/remote.proto, types.proto):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *
 * Why not protobufjs: these four messages are all we ever write, the encoder
 * runs over every output series of every run (a hot path), and a two-pass
 * "measure, then write into one exact-size Buffer" encoder does that with one
 * allocation and no per-message objects. protobufjs (a dev dependency) decodes
 * our output in the unit tests, and the e2e tests send it to real
 * VictoriaMetrics and Prometheus receivers.
 */

/** One series with one sample, as remote write sends it. */
export interface RemoteSample {
  /** Sorted by name, `__name__` included. */
  readonly labels: ReadonlyArray<readonly [name: string, value: string]>;
  readonly value: number;
  /** True: send the Prometheus staleness marker instead of `value`. */
  readonly stale: boolean;
  /** Milliseconds since the epoch; a non-negative integer. */
  readonly timestampMs: number;
}

/** Field keys: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited). */
const KEY_TIMESERIES = 0x0a;
const KEY_LABELS = 0x0a;
const KEY_SAMPLES = 0x12;
const KEY_NAME = 0x0a;
const KEY_VALUE = 0x12;
const KEY_SAMPLE_VALUE = 0x09;
const KEY_SAMPLE_TIMESTAMP = 0x10;

/** Prometheus' staleness marker: a NaN with this exact bit pattern (value.StaleNaN). */
export const STALE_NAN_HI = 0x7ff00000;
export const STALE_NAN_LO = 0x00000002;

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes a non-negative integer (up to 2^53) as a varint; plain arithmetic, since bit operators stop at 32 bits. */
function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

function labelSize(nameBytes: number, valueBytes: number): number {
  return 1 + varintSize(nameBytes) + nameBytes + 1 + varintSize(valueBytes) + valueBytes;
}

/** Sample: key + 8-byte double + key + varint timestamp. */
function sampleSize(timestampMs: number): number {
  return 1 + 8 + 1 + varintSize(timestampMs);
}

/** Encodes one WriteRequest. Throws on a timestamp that is not a non-negative safe integer. */
export function encodeWriteRequest(series: readonly RemoteSample[]): Buffer {
  // Pass 1: every string's UTF-8 length and every message's size.
  const byteLengths: number[] = [];
  const seriesSizes: number[] = [];
  let total = 0;
  for (const s of series) {
    if (!Number.isSafeInteger(s.timestampMs) || s.timestampMs < 0) throw new RangeError(`invalid sample timestamp ${s.timestampMs}`);
    let size = 0;
    for (const [name, value] of s.labels) {
      const n = Buffer.byteLength(name, 'utf8');
      const v = Buffer.byteLength(value, 'utf8');
      byteLengths.push(n, v);
      const l = labelSize(n, v);
      size += 1 + varintSize(l) + l;
    }
    const sample = sampleSize(s.timestampMs);
    size += 1 + varintSize(sample) + sample;
    seriesSizes.push(size);
    total += 1 + varintSize(size) + size;
  }
  // Pass 2: write into one buffer of the exact size.
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  let k = 0;
  series.forEach((s, i) => {
    buf[pos++] = KEY_TIMESERIES;
    pos = writeVarint(buf, pos, seriesSizes[i] ?? 0);
    for (const [name, value] of s.labels) {
      const n = byteLengths[k++] ?? 0;
      const v = byteLengths[k++] ?? 0;
      buf[pos++] = KEY_LABELS;
      pos = writeVarint(buf, pos, labelSize(n, v));
      buf[pos++] = KEY_NAME;
      pos = writeVarint(buf, pos, n);
      pos += buf.write(name, pos, n, 'utf8');
      buf[pos++] = KEY_VALUE;
      pos = writeVarint(buf, pos, v);
      pos += buf.write(value, pos, v, 'utf8');
    }
    buf[pos++] = KEY_SAMPLES;
    pos = writeVarint(buf, pos, sampleSize(s.timestampMs));
    buf[pos++] = KEY_SAMPLE_VALUE;
    if (s.stale) {
      buf.writeUInt32LE(STALE_NAN_LO, pos);
      buf.writeUInt32LE(STALE_NAN_HI, pos + 4);
      pos += 8;
    } else {
      pos = buf.writeDoubleLE(s.value, pos);
    }
    buf[pos++] = KEY_SAMPLE_TIMESTAMP;
    pos = writeVarint(buf, pos, s.timestampMs);
  });
  if (pos !== total) throw new Error(`internal: remote-write encoder wrote ${pos} of ${total} bytes`);
  return buf;
}
