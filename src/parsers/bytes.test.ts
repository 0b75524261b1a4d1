import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBytes } from './bytes.js';

/** [input, base units]; a string is the expected failure reason. */
const ROWS: Array<[string, number | string]> = [
  ['512Mi', 536870912], // Kubernetes memory request (kube_pod_container_resource_requests source spec)
  ['1G', 1e9], // Kubernetes decimal SI
  ['250m', 0.25], // Kubernetes CPU request
  ['1e3', 1000], // Kubernetes decimal exponent
  ['1E3', 1000], // same, capital E: an exponent, not exa
  ['1E', 1e18], // Kubernetes exa
  ['1.5Gi', 1610612736], // Kubernetes binary SI with a fraction
  ['100k', 1e5], // Kubernetes lower-case k
  ['1K', 1000], // SI K, as humans write it
  ['1KB', 1000], // SI kilobyte: 1000 (write KiB for 1024)
  ['1kB', 1000], // SI kilobyte, correct case
  ['1KiB', 1024], // IEC kibibyte
  ['16GiB', 17179869184], // IEC, node capacity in cloud instance labels
  ['2MB', 2e6], // SI megabyte
  ['1TB', 1e12], // SI terabyte, disk size labels
  ['1Ti', 1099511627776], // Kubernetes PVC capacity
  ['1Pi', 1125899906842624], // IEC pebi
  ['1Ei', 1152921504606846976], // IEC exbi
  ['10Gi', 10737418240], // kube_persistentvolumeclaim_resource_requests_storage_bytes source spec
  ['4', 4], // plain number, e.g. cpu capacity
  ['4096', 4096], // plain number of bytes
  ['100B', 100], // explicit bytes
  ['1.5 GiB', 1610612736], // human-readable, one space
  ['100n', 1e-7], // Kubernetes nano (CPU usage in metrics-server)
  ['12u', 0.000012], // Kubernetes micro
  ['-1Gi', -1073741824], // Kubernetes allows signed quantities
  ['1gb', 'unknown_unit'], // lower-case gb is not a unit here
  ['1mB', 'unknown_unit'], // millibytes are not a thing
  ['1 GiB extra', 'not_a_quantity'], // trailing words
  ['Gi', 'not_a_quantity'], // unit without a number
  ['1.5.2Gi', 'not_a_quantity'], // two dots
  ['', 'empty'], // missing label
];

const parse = compileBytes({ parser: 'bytes' });
for (const [input, want] of ROWS) {
  test(`bytes ${JSON.stringify(input)} → ${want}`, () => {
    const expected = typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want };
    assert.deepEqual(parse(input), expected);
  });
}

test('bytes overflow is out_of_range', () => {
  assert.deepEqual(parse('1e308Ei'), { ok: false, reason: 'out_of_range' });
});
