import type { ExporterConfig, TransformationConfig } from '../config/types.js';
import { withDeadline } from '../model/deadline.js';
import { redactUrlsInText } from '../model/url.js';
import { needsLabelNames, sampleLabelNames, withLabelNames } from '../scheduler/label-names.js';
import { runWithinDeadline } from '../scheduler/job.js';
import { SnapshotStore } from '../snapshot/store.js';
import type { Source } from '../sources/source.js';
import { degradation, type Degradation } from '../transform/degraded.js';
import type { TransformResult } from '../transform/transformer.js';
import { CommandSources } from './command-sources.js';

/** Why a run is degraded; for a missing value label, with the names the source's series carry (see label-names.ts). */
export async function explainDegraded(t: TransformationConfig, used: readonly Source[], r: TransformResult, signal: AbortSignal): Promise<Degradation | undefined> {
  const d = degradation(t, r);
  if (!needsLabelNames(t, d)) return d;
  return degradation(t, withLabelNames(r, await sampleLabelNames(t, used, signal)));
}

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
      const d = o.ok ? await withDeadline('degraded explanation deadline (timeout)', t.timeoutSeconds, undefined, (signal) => explainDegraded(t, used, o.result, signal)) : undefined;
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
