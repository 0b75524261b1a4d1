import type { ExporterConfig } from '../config/types.js';
import { withDeadline } from '../model/deadline.js';
import { redactUrlsInText } from '../model/url.js';
import { explainDegraded } from '../scheduler/label-names.js';
import { runWithinDeadline } from '../scheduler/job.js';
import { SnapshotStore } from '../snapshot/store.js';
import { CommandSources } from './command-sources.js';

/**
 * `check --probe`: runs each transformation's own query once (asking for no
 * more than it reads, as a run does; within its timeout) and reports it as ok,
 * FAILED (an empty answer included) or DEGRADED, one line each. Nothing is
 * served or kept. Returns how many were not ok.
 */
export async function probeTransformations(config: ExporterConfig, out: NodeJS.WritableStream): Promise<number> {
  const sources = new CommandSources(config);
  let bad = 0;
  try {
    for (const t of config.transformations) {
      const used = sources.of(t);
      // The same run as preview's: bounded by the run deadline, abandoned when a source ignores it.
      const o = await runWithinDeadline(t, used, new SnapshotStore());
      const d = o.ok
        ? await withDeadline('degraded explanation deadline (timeout)', t.timeoutSeconds, undefined, (signal) =>
            explainDegraded(t, used, o.result, signal),
          )
        : undefined;
      if (!o.ok || d) bad++;
      if (!o.ok) out.write(`transformation ${t.name}: FAILED ${o.error.reason}: ${redactUrlsInText(o.error.message)}\n`);
      else if (d) out.write(`transformation ${t.name}: DEGRADED ${d.reason}: ${redactUrlsInText(d.message)}\n`);
      else out.write(`transformation ${t.name}: ok (${o.result.sourceSeries} source series → ${o.result.series.length} output series)\n`);
    }
  } finally {
    await sources.close();
  }
  return bad;
}
