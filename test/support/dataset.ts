/**
 * The end-to-end dataset: kube_node_info series of two clusters with every
 * case the transformation rules cover. Loaded into a real VictoriaMetrics
 * (import) or served for a real Prometheus to scrape.
 */
export const KUBE_NODE_INFO = `kube_node_info{cluster="prod",node="worker-1",minor="28",os_image="Ubuntu 22.04.3 LTS",instance="10.0.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="prod",node="worker-2",minor="28+",os_image="Ubuntu 22.04.3 LTS",instance="10.0.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="prod",node="worker-3",minor="26",os_image="Amazon Linux 2",instance="10.0.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="prod",node="worker-4",minor="",os_image="Amazon Linux 2",instance="10.0.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="prod",node="worker-5",os_image="Bottlerocket OS 1.15.1 (aws-k8s-1.28)",instance="10.0.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="prod",node="worker-6",minor="twenty-nine",os_image="Flatcar \\"Oklo\\"",instance="10.0.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="staging",node="back\\\\slash \\"quoted\\"",minor="v29",os_image="multi\\nline",instance="10.1.0.10:8080",job="kube-state-metrics"} 1
kube_node_info{cluster="staging",node="nœud-ünïcödé-節點",minor="30",os_image="Ubuntu 22.04.3 LTS",instance="10.1.0.10:8080",job="kube-state-metrics"} 1
`;

export const NODE_COUNT = 8;

/** What the seed's example config (default_value 0; preserve cluster, node, instance) must serve. */
export const EXPECTED_MINOR = new Map<string, number>([
  ['kubelet_minor_version{cluster="prod",instance="10.0.0.10:8080",node="worker-1"}', 28],
  ['kubelet_minor_version{cluster="prod",instance="10.0.0.10:8080",node="worker-2"}', 28],
  ['kubelet_minor_version{cluster="prod",instance="10.0.0.10:8080",node="worker-3"}', 26],
  // An empty label is no label in the Prometheus data model: both are defaulted.
  ['kubelet_minor_version{cluster="prod",instance="10.0.0.10:8080",node="worker-4"}', 0],
  ['kubelet_minor_version{cluster="prod",instance="10.0.0.10:8080",node="worker-5"}', 0],
  ['kubelet_minor_version{cluster="prod",instance="10.0.0.10:8080",node="worker-6"}', 0],
  ['kubelet_minor_version{cluster="staging",instance="10.1.0.10:8080",node="back\\\\slash \\"quoted\\""}', 29],
  ['kubelet_minor_version{cluster="staging",instance="10.1.0.10:8080",node="nœud-ünïcödé-節點"}', 30],
]);

/** The `family` entries of a parsed exposition. */
export function family(samples: Map<string, number>, name: string): Map<string, number> {
  return new Map([...samples].filter(([k]) => k === name || k.startsWith(`${name}{`)));
}
