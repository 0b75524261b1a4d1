import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRegex } from './regex.js';
import { ParserConfigError } from './types.js';

/** [input, pattern, group, want]; a string want is the expected failure reason. */
const ROWS: Array<[string, string, number | string | undefined, number | string]> = [
  ['5.15.0-1051-azure', String.raw`^(\d+\.\d+)`, undefined, 5.15], // node_uname_info release on AKS
  ['5.15.0-1051-azure', String.raw`-(\d+)-`, undefined, 1051], // same, the Azure kernel build number
  ['6.1.0-13-amd64', String.raw`^\d+\.\d+\.\d+-(\d+)`, 1, 13], // node_uname_info release on Debian 12
  ['4.18.0-477.27.1.el8_8.x86_64', String.raw`\.el(\d+)`, 1, 8], // node_uname_info release on RHEL 8
  ['Ubuntu 22.04.3 LTS', String.raw`(?<ver>\d+\.\d+)`, 'ver', 22.04], // node_os_info pretty_name, named group
  ['v1.27.8-gke.1067004', String.raw`gke\.(\d+)`, undefined, 1067004], // GKE kubelet_version build number
  ['ip-10-0-1-23.ec2.internal', String.raw`^ip-(\d+)`, undefined, 10], // EKS node name, first octet
  ['postgres-0', String.raw`-(\d+)$`, undefined, 0], // StatefulSet pod ordinal from kube_pod_info pod
  ['r6i.2xlarge', String.raw`\.(\d+)xlarge`, undefined, 2], // AWS instance-type label node.kubernetes.io/instance-type
  ['Standard_D4s_v3', String.raw`_v(\d+)$`, undefined, 3], // Azure VM size label, generation
  ['10.0.17763.5122', String.raw`^\d+\.\d+\.(\d+)`, undefined, 17763], // windows_exporter windows_os_info build
  ['release-1.28', String.raw`\d+\.\d+`, 0, 1.28], // group 0: the whole match
  ['Ubuntu 22.04.3 LTS', String.raw`^(\d+)`, undefined, 'no_match'], // anchored pattern, text first
  ['linux', String.raw`(\d+)`, undefined, 'no_match'], // kube_node_info operating_system: nothing to match
  ['v1.28.3', String.raw`^(v\d+)`, undefined, 'not_a_number'], // the group is parsed strictly: no v
  ['abc', String.raw`(\d+)?abc`, undefined, 'no_match'], // optional group that took no part
  ['', String.raw`(\d+)`, undefined, 'empty'], // missing label
];

for (const [input, pattern, group, want] of ROWS) {
  test(`regex /${pattern}/ group ${group ?? 1} on ${JSON.stringify(input)} → ${want}`, () => {
    const parse = compileRegex(group === undefined ? { parser: 'regex', pattern } : { parser: 'regex', pattern, group });
    const expected = typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want };
    assert.deepEqual(parse(input), expected);
  });
}

const BAD: Array<[string, number | string | undefined, string]> = [
  ['(unclosed', undefined, 'pattern'],
  ['[a-', undefined, 'pattern'],
  ['(?P<name>\\d+)', 'name', 'pattern'],
  ['\\d+', undefined, 'group'], // no group 1
  ['(\\d+)', 2, 'group'],
  ['(\\d+)', -1, 'group'],
  ['(\\d+)', 1.5, 'group'],
  ['(?<a>\\d+)', 'b', 'group'],
];

for (const [pattern, group, field] of BAD) {
  test(`regex /${pattern}/ group ${group ?? 1} is a config error on ${field}`, () => {
    const spec = group === undefined ? { parser: 'regex' as const, pattern } : { parser: 'regex' as const, pattern, group };
    assert.throws(
      () => compileRegex(spec),
      (e: unknown) => e instanceof ParserConfigError && e.field === field,
    );
  });
}

test('regex error for (?P<name>) hints at the JavaScript syntax', () => {
  assert.throws(() => compileRegex({ parser: 'regex', pattern: '(?P<v>\\d+)', group: 'v' }), /\(\?<name>\.\.\.\)/);
});

test('regex is stateless between calls', () => {
  const parse = compileRegex({ parser: 'regex', pattern: String.raw`(\d+)` });
  assert.deepEqual(
    [parse('a1'), parse('a2'), parse('a3')],
    [1, 2, 3].map((value) => ({ ok: true, value })),
  );
});
