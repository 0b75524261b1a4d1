import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSemver } from './semver.js';
import { ParserConfigError } from './types.js';
import type { VersionSpec } from './version.js';
import { compileVersion } from './version.js';

/** [input, parts: 3 (default), parts: 2]; a string is the expected failure reason. */
type Row = [string, number | string, number | string];

const ROWS: Row[] = [
  ['5.15.0-91-generic', 5_015_000, 5_015], // node_uname_info release, Ubuntu
  ['5.10.0-26-cloud-amd64', 5_010_000, 5_010], // Debian 11 kernel: 5.10 must sort above 5.4
  ['5.4.0-1103-aws', 5_004_000, 5_004],
  ['6.10.14-linuxkit', 6_010_014, 6_010], // 6.10 above 6.1 and 6.9
  ['6.1.0-13-amd64', 6_001_000, 6_001],
  ['4.18.0-477.27.1.el8_8.x86_64', 4_018_000, 4_018], // RHEL 8 kernel
  ['go1.20.3', 1_020_003, 1_020], // go_info version: go1.20 above go1.3
  ['go1.3', 1_003_000, 1_003],
  ['go1.22rc1', 1_022_000, 1_022], // a release candidate counts as its release
  ['12', 12_000_000, 12_000], // os-release VERSION_ID, Debian: a bare number
  ['22.04', 22_004_000, 22_004], // Ubuntu
  ['8.10', 8_010_000, 8_010], // RHEL 8.10: above 8.9
  ['8.9', 8_009_000, 8_009],
  ['2023', 2_023_000_000, 2_023_000], // Amazon Linux 2023
  ['2023.1', 2_023_001_000, 2_023_001],
  ['v1.28.3-eks-e71965b', 1_028_003, 1_028], // kubelet_version, EKS
  ['v1.29.1+k3s2', 1_029_001, 1_029],
  ['V1.2.3', 1_002_003, 1_002],
  ['containerd://1.7.11', 1_007_011, 1_007], // container_runtime_version
  ['cri-o://1.27.1-6.rhaos4.14', 1_027_001, 1_027],
  ['docker://20.10.25', 20_010_025, 20_010],
  ['28+', 28_000_000, 28_000], // a bare number with the Kubernetes "+"
  ['10.0.17763.5122', 'out_of_range', 10_000], // Windows build: patch 17763 needs 5 digits
  ['1.1000', 'out_of_range', 'out_of_range'], // never wrapped into 2.0
  ['9007199254.740.991', 9_007_199_254_740_991, 9_007_199_254_740], // 2^53 − 1
  ['9007199254.740.992', 'out_of_range', 9_007_199_254_740], // above 2^53 − 1: floats stop being exact
  ['99999999999999999999', 'out_of_range', 'out_of_range'],
  ['Ubuntu 22.04.3 LTS', 'not_a_version', 'not_a_version'], // text first: use prefix
  ['latest', 'not_a_version', 'not_a_version'],
  ['containerd://', 'not_a_version', 'not_a_version'],
  ['', 'empty', 'empty'],
];

const THREE = compileVersion({ parser: 'version' });
const TWO = compileVersion({ parser: 'version', parts: 2 });

for (const [input, three, two] of ROWS) {
  test(`version ${JSON.stringify(input)} → ${three} / parts 2: ${two}`, () => {
    const want = (w: number | string) => (typeof w === 'number' ? { ok: true, value: w } : { ok: false, reason: w });
    assert.deepEqual(THREE(input), want(three), 'parts 3');
    assert.deepEqual(TWO(input), want(two), 'parts 2');
  });
}

test('version orders what a decimal regex gets wrong', () => {
  const pairs: Array<[string, string]> = [
    ['5.4.0', '5.10.0'],
    ['6.1.0', '6.10.0'],
    ['go1.3', 'go1.20'],
    ['8.9', '8.10'],
    ['12', '12.1'],
    ['22.04', '22.10'],
  ];
  for (const [lo, hi] of pairs) {
    const a = THREE(lo);
    const b = THREE(hi);
    assert.ok(a.ok && b.ok && a.value < b.value, `${lo} < ${hi}: ${JSON.stringify(a)} ${JSON.stringify(b)}`);
  }
});

test('version with parts 3, digits 3 equals semver sortable', () => {
  const semver = compileSemver({ parser: 'semver' });
  for (const v of [
    'v1.28.3-eks-e71965b',
    'containerd://1.7.11',
    'go1.21.5',
    '5.15.0-91-generic',
    '22.04.3',
    '1000.2000.3',
    '10.0.17763.5122',
  ]) {
    assert.deepEqual(THREE(v), semver(v), v);
  }
});

test('digits widens each part; parts 1 is the major; parts 4 reads a fourth number', () => {
  // Windows' build.revision (10.0.17763.5122): skip the 10.0 and give the build 5 digits.
  assert.deepEqual(compileVersion({ parser: 'version', parts: 2, digits: 5, prefix: String.raw`\d+\.\d+\.` })('10.0.17763.5122'), {
    ok: true,
    value: 17763_05122,
  });
  assert.deepEqual(compileVersion({ parser: 'version', parts: 5, digits: 3 })('9007.199.254.740.991'), {
    ok: true,
    value: Number.MAX_SAFE_INTEGER,
  });
  assert.deepEqual(compileVersion({ parser: 'version', parts: 1 })('5.15.0'), { ok: true, value: 5 });
  assert.deepEqual(compileVersion({ parser: 'version', parts: 4 })('1.2.3'), { ok: true, value: 1_002_003_000 });
});

test('prefix replaces the default start', () => {
  const anyText = compileVersion({ parser: 'version', prefix: String.raw`\D*` });
  assert.deepEqual(anyText('Ubuntu 22.04.3 LTS'), { ok: true, value: 22_004_003 });
  assert.deepEqual(anyText('Debian GNU/Linux 12 (bookworm)'), { ok: true, value: 12_000_000 });
  const release = compileVersion({ parser: 'version', prefix: 'release-' });
  assert.deepEqual(release('release-1.4'), { ok: true, value: 1_004_000 });
  assert.deepEqual(release('v1.4'), { ok: false, reason: 'not_a_version' }, 'the default v is no longer removed');
});

test('bad options are load errors naming the option', () => {
  const bad: Array<[Partial<VersionSpec>, string, RegExp]> = [
    [{ parts: 0 }, 'parts', /from 1 to 6/],
    [{ parts: 2.5 }, 'parts', /whole number/],
    [{ digits: 7 }, 'digits', /from 1 to 6/],
    [{ parts: 6, digits: 3 }, 'digits', /at most 12/],
    [{ prefix: '(' }, 'prefix', /invalid regular expression/],
    [{ prefix: '(a+)+' }, 'prefix', /exponential/],
  ];
  for (const [opts, field, message] of bad) {
    assert.throws(
      () => compileVersion({ parser: 'version', ...opts }),
      (e: unknown) => e instanceof ParserConfigError && e.field === field && message.test(e.message),
      JSON.stringify(opts),
    );
  }
});
