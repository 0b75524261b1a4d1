import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSemver } from './semver.js';
import { ParserConfigError } from './types.js';
import type { SemverPart } from './semver.js';

/** [input, major, minor, patch, sortable]; a string is the expected failure reason. */
type Row = [string, number | string, number | string, number | string, number | string];

const ROWS: Row[] = [
  ['v1.28.3', 1, 28, 3, 1_028_003], // kube_node_info kubelet_version, kubeadm / upstream
  ['1.28.3-eks-5e0fdde', 1, 28, 3, 1_028_003], // EKS AMI kubelet build, without the v
  ['v1.28.3-eks-e71965b', 1, 28, 3, 1_028_003], // EKS kube_node_info kubelet_version
  ['v1.27.8-gke.1067004', 1, 27, 8, 1_027_008], // GKE kubelet_version and kubernetes_build_info git_version
  ['v1.29.1+k3s2', 1, 29, 1, 1_029_001], // k3s kubelet_version (build metadata)
  ['v1.28.3+rke2r1', 1, 28, 3, 1_028_003], // RKE2 kubelet_version
  ['v1.27.6+b49f9d1', 1, 27, 6, 1_027_006], // OpenShift 4.14 kubelet_version (commit as build metadata)
  ['v1.27.7', 1, 27, 7, 1_027_007], // AKS kubelet_version
  ['containerd://1.7.11', 1, 7, 11, 1_007_011], // kube-state-metrics container_runtime_version
  ['containerd://1.7.11-k3s2', 1, 7, 11, 1_007_011], // kube-state-metrics container_runtime_version on k3s
  ['cri-o://1.27.1-6.rhaos4.14', 1, 27, 1, 1_027_001], // kube-state-metrics container_runtime_version on OpenShift
  ['cri-o://1.27.1-6.rhaos4.14.git3fcd3ae.el9', 1, 27, 1, 1_027_001], // OpenShift RHCOS node, full form
  ['docker://20.10.25', 20, 10, 25, 20_010_025], // kube-state-metrics container_runtime_version via cri-dockerd
  ['docker://24.0.7', 24, 0, 7, 24_000_007], // same, Docker 24
  ['go1.21.5', 1, 21, 5, 1_021_005], // Go go_info{version}
  ['go1.21', 1, 21, 0, 1_021_000], // go_info for a Go x.y.0 release before Go 1.21's naming change
  ['go1.22rc1', 1, 22, 0, 1_022_000], // go_info of a Go release candidate (prerelease, not lowered)
  ['1.28', 1, 28, 0, 1_028_000], // kubernetes_build_info major.minor joined; missing patch is 0
  ['1.29.0-rc.1', 1, 29, 0, 1_029_000], // Kubernetes release candidate (prerelease, not lowered)
  ['1.29.0-alpha.2', 1, 29, 0, 1_029_000], // Kubernetes alpha (prerelease, not lowered)
  ['v2.48.1', 2, 48, 1, 2_048_001], // prometheus_build_info version with a v
  ['2.48.1', 2, 48, 1, 2_048_001], // prometheus_build_info version
  ['5.15.0-1051-azure', 5, 15, 0, 5_015_000], // node_exporter node_uname_info release on AKS
  ['6.1.0-13-amd64', 6, 1, 0, 6_001_000], // node_uname_info release on Debian 12
  ['4.18.0-477.27.1.el8_8.x86_64', 4, 18, 0, 4_018_000], // node_uname_info release on RHEL 8
  ['22.04.3', 22, 4, 3, 22_004_003], // node_os_info version_id style on Ubuntu, leading zero
  ['10.0.17763.5122', 10, 0, 17763, 'out_of_range'], // windows_exporter windows_os_info build: 4 parts, patch ≥ 1000
  ['V1.2.3', 1, 2, 3, 1_002_003], // capital V seen in hand-written build_info labels
  [' v1.28.3\n', 1, 28, 3, 1_028_003], // surrounding whitespace from templated labels
  ['28+', 28, 'bare_number', 'bare_number', 'bare_number'], // kubernetes_build_info minor on GKE/EKS
  ['28', 28, 'bare_number', 'bare_number', 'bare_number'], // kubernetes_build_info minor upstream
  ['v28', 28, 'bare_number', 'bare_number', 'bare_number'], // a bare version with a v
  ['1000.2000.3', 1000, 2000, 3, 'out_of_range'], // minor ≥ 1000 would overlap major in sortable
  ['9007199254740993.0.0', 'out_of_range', 'out_of_range', 'out_of_range', 'out_of_range'], // beyond 2^53
  ['', 'empty', 'empty', 'empty', 'empty'], // missing label value
  ['latest', 'not_a_version', 'not_a_version', 'not_a_version', 'not_a_version'], // image-tag style app_version
  ['unknown', 'not_a_version', 'not_a_version', 'not_a_version', 'not_a_version'], // placeholder versions
  ['containerd://', 'not_a_version', 'not_a_version', 'not_a_version', 'not_a_version'], // runtime without version
  ['28++', 'not_a_version', 'not_a_version', 'not_a_version', 'not_a_version'], // malformed bare number
  ['Ubuntu 22.04', 'not_a_version', 'not_a_version', 'not_a_version', 'not_a_version'], // text before: use regex
];

const PARTS: SemverPart[] = ['major', 'minor', 'patch', 'sortable'];
const PARSERS = PARTS.map((part) => compileSemver({ parser: 'semver', part }));

for (const [input, ...wants] of ROWS) {
  test(`semver ${JSON.stringify(input)} → ${wants.join(' / ')}`, () => {
    wants.forEach((want, i) => {
      const expected = typeof want === 'number' ? { ok: true, value: want } : { ok: false, reason: want };
      assert.deepEqual(PARSERS[i]?.(input), expected, `part ${PARTS[i]}`);
    });
  });
}

test('semver defaults to sortable', () => {
  assert.deepEqual(compileSemver({ parser: 'semver' })('v1.28.3'), { ok: true, value: 1_028_003 });
});

test('semver sortable orders real versions', () => {
  const parse = compileSemver({ parser: 'semver' });
  const order = ['v1.9.11', 'v1.27.8-gke.1067004', 'v1.28.0', 'v1.28.3-eks-e71965b', 'v1.29.1+k3s2', 'v2.0.0'];
  const values = order.map((v) => {
    const r = parse(v);
    return r.ok ? r.value : NaN;
  });
  assert.deepEqual(
    [...values].sort((a, b) => a - b),
    values,
  );
});

test('semver rejects an unknown part at compile time', () => {
  assert.throws(
    () => compileSemver({ parser: 'semver', part: 'build' as SemverPart }),
    (e: unknown) => e instanceof ParserConfigError && e.field === 'part',
  );
});
