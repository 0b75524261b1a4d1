import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Parses an OpenMetrics body with the reference parser of the Python client
 * (Debian's python3-prometheus-client), which checks the spec strictly:
 * `# EOF`, stateset labels, canonical `le` values, counter `_total`, info
 * suffixes. promtool 2.42 only reads the text format, so this is our second
 * independent checker. Returns the families as `name type samples` lines.
 */
const SCRIPT = `
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for f in text_string_to_metric_families(sys.stdin.read()):
    print(f.name, f.type, len(f.samples))
`;

const PYTHON = '/usr/bin/python3';

export interface OpenMetricsCheck {
  readonly ok: boolean;
  /** `name type samples` per family, or the parser's error. */
  readonly output: string;
}

export function checkOpenMetrics(body: string): OpenMetricsCheck {
  const missing = 'the reference OpenMetrics parser is missing: run `apt-get install -y python3 python3-prometheus-client`';
  if (!existsSync(PYTHON)) throw new Error(missing);
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: body, encoding: 'utf8', timeout: 60_000 });
  if (r.stderr.includes("No module named 'prometheus_client'")) throw new Error(missing);
  return { ok: r.status === 0, output: r.status === 0 ? r.stdout : (r.stderr.trim().split('\n').slice(-1)[0] ?? '') };
}
