/**
 * An independent decoder for what remote write sends: protobufjs reflection
 * over the prompb messages, and snappyjs for the block format. Test-only.
 */
import protobuf from 'protobufjs';
import { uncompress } from 'snappyjs';

const PROTO = `
syntax = "proto3";
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message WriteRequest { repeated TimeSeries timeseries = 1; }
// The same wire format with the value read as its raw 64 bits (for the staleness NaN).
message SampleBits { fixed64 value = 1; int64 timestamp = 2; }
message TimeSeriesBits { repeated Label labels = 1; repeated SampleBits samples = 2; }
message WriteRequestBits { repeated TimeSeriesBits timeseries = 1; }
`;

const root = protobuf.parse(PROTO).root;
const WriteRequest = root.lookupType('WriteRequest');
const WriteRequestBits = root.lookupType('WriteRequestBits');

export interface DecodedSeries {
  labels: Array<[string, string]>;
  value: number;
  /** The value's 64 bits as 16 hex digits. */
  bits: string;
  timestampMs: number;
}

interface RawRequest {
  timeseries?: Array<{
    labels?: Array<{ name?: string; value?: string }>;
    samples?: Array<{ value?: number | string; timestamp?: string }>;
  }>;
}

/** Decodes an uncompressed WriteRequest; every series must carry exactly one sample. */
export function decodeWriteRequest(body: Uint8Array): DecodedSeries[] {
  const opts = { longs: String, defaults: true };
  const plain = WriteRequest.toObject(WriteRequest.decode(body), opts) as RawRequest;
  const bits = WriteRequestBits.toObject(WriteRequestBits.decode(body), opts) as RawRequest;
  return (plain.timeseries ?? []).map((ts, i) => {
    const samples = ts.samples ?? [];
    if (samples.length !== 1) throw new Error(`series ${i} has ${samples.length} samples`);
    const raw = BigInt(String(bits.timeseries?.[i]?.samples?.[0]?.value ?? '0'));
    return {
      labels: (ts.labels ?? []).map((l) => [l.name ?? '', l.value ?? ''] as [string, string]),
      value: Number(samples[0]?.value),
      bits: raw.toString(16).padStart(16, '0'),
      timestampMs: Number(samples[0]?.timestamp),
    };
  });
}

/** Snappy block format (not framed) → bytes. */
export function unsnappy(body: Uint8Array): Uint8Array {
  return uncompress(body);
}
