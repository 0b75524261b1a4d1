import type { ExporterConfig, TransformationConfig } from '../config/types.js';
import { Deadline } from '../model/deadline.js';
import { redactUrlsInText } from '../model/url.js';
import { needsLabelNames, sampleLabelNames, withLabelNames } from '../scheduler/label-names.js';
import { runTransformation } from '../scheduler/run.js';
import { SnapshotStore } from '../snapshot/store.js';
import { createSource } from '../sources/registry.js';
import type { Source } from '../sources/source.js';
import { degradation, type Degradation } from '../transform/degraded.js';
import type { TransformResult } from '../transform/transformer.js';

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
  const sources = new Map<string, Source>();
  let bad = 0;
  try {
    for (const t of config.transformations) {
      const used = t.sources.flatMap((name) => {
        const cfg = config.sources.get(name);
        if (!cfg) return [];
        const source = sources.get(name) ?? createSource(cfg, { request: () => undefined });
        sources.set(name, source);
        return [source];
      });
      const deadline = new Deadline(`transformation ${t.name}`, t.timeoutSeconds);
      try {
        const o = await runTransformation(t, used, new SnapshotStore(), deadline.signal);
        const d = o.ok ? await explainDegraded(t, used, o.result, deadline.signal) : undefined;
        if (!o.ok || d) bad++;
        if (!o.ok) out.write(`transformation ${t.name}: FAILED ${o.error.reason}: ${redactUrlsInText(o.error.message)}\n`);
        else if (d) out.write(`transformation ${t.name}: DEGRADED ${d.reason}: ${redactUrlsInText(d.message)}\n`);
        else out.write(`transformation ${t.name}: ok (${o.result.sourceSeries} source series → ${o.result.series.length} output series)\n`);
      } finally {
        deadline.dispose();
      }
    }
  } finally {
    await Promise.all([...sources.values()].map((s) => s.close()));
  }
  return bad;
}
