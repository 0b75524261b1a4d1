import type { Writable } from 'node:stream';
import { loadOrReport } from './load-or-report.js';
import type { TransformationConfig } from '../config/types.js';
import { writeExposition } from '../exposition/write.js';
import { withDeadline } from '../model/deadline.js';
import { redactUrlsInText } from '../model/url.js';
import { runWithinDeadline } from '../scheduler/job.js';
import type { RunOutcome } from '../scheduler/run.js';
import { SnapshotStore } from '../snapshot/store.js';
import { CommandSources } from './command-sources.js';
import type { Degradation } from '../transform/degraded.js';
import { explainDegraded } from '../scheduler/label-names.js';
import { describeOwner, runsHere, WHOLE, type Shard } from '../transform/shard.js';

function summary(t: TransformationConfig, o: RunOutcome, ms: number, degraded: Degradation | undefined): string {
  if (!o.ok) return `${t.name}: FAILED after ${ms} ms (${o.error.reason}): ${redactUrlsInText(o.error.message)}`;
  const r = o.result;
  const lines = [
    `${t.name}: ${degraded ? 'DEGRADED' : 'ok'} in ${ms} ms; ${r.sourceSeries} source series → ${r.series.length} output series; defaulted ${r.defaulted}; collisions ${r.collisions}`,
  ];
  // Degraded: one sentence names the cause (with a "did you mean") instead of a list of empty examples.
  if (degraded) lines.push(`  degraded: ${degraded.message}`);
  for (const [reason, n] of r.skipped) {
    if (degraded && reason === degraded.reason) continue;
    const examples = (r.skipExamples.get(reason) ?? []).map((v) => JSON.stringify(v)).join(', ');
    lines.push(`  skipped ${reason}: ${n}${examples ? ` (e.g. ${examples})` : ''}`);
  }
  for (const w of o.warnings) lines.push(`  source warning: ${redactUrlsInText(w)}`);
  return lines.join('\n');
}

/** `preview`'s command line (and where it writes). */
export interface PreviewOptions {
  readonly configFile: string;
  /** `--transformation`: only this one; undefined: all. */
  readonly transformation?: string | undefined;
  /** `--shard.*`: show only what this replica would serve. */
  readonly shard?: Shard | undefined;
  /** `--allow-degraded`. */
  readonly allowDegraded?: boolean | undefined;
  readonly out?: Writable;
  readonly err?: Writable;
}

/**
 * `preview`: runs each transformation (or one) once against its live source.
 * stdout gets exactly what /metrics would show for them (text format, so it
 * can be piped to `promtool check metrics`); stderr gets a summary per
 * transformation. Exits 1 when a transformation fails, or is degraded (its
 * source answered but no output series came out, or every one defaulted)
 * unless `allowDegraded` (`--allow-degraded`).
 */
export async function preview(opts: PreviewOptions): Promise<number> {
  const { configFile, transformation: only, out = process.stdout, err = process.stderr, shard = WHOLE, allowDegraded = false } = opts;
  const config = await loadOrReport(configFile, err);
  if (!config) return 1;
  const chosen = config.transformations.filter((t) => only === undefined || t.name === only);
  if (chosen.length === 0) {
    err.write(`no transformation named ${JSON.stringify(only)}; defined: ${config.transformations.map((t) => t.name).join(', ')}\n`);
    return 1;
  }
  const sources = new CommandSources(config);
  const store = new SnapshotStore();
  let failed = 0;
  try {
    for (const t of chosen) {
      // With --shard.*: say so rather than silently print nothing for it.
      if (!runsHere(shard, t)) {
        err.write(
          `${t.name}: not owned by this shard (shard ${shard.index} of ${shard.count}); runs on ${describeOwner(t, shard.count)}\n`,
        );
        continue;
      }
      const used = sources.of(t);
      const started = performance.now();
      const outcome = await runWithinDeadline(t, used, store, shard);
      const ms = Math.round(performance.now() - started);
      const degraded = outcome.ok
        ? await withDeadline('degraded explanation deadline (timeout)', t.timeoutSeconds, undefined, (signal) =>
            explainDegraded(t, used, outcome.result, signal),
          )
        : undefined;
      if (!outcome.ok || (degraded && !allowDegraded)) failed++;
      err.write(`${summary(t, outcome, ms, degraded)}\n`);
      if (t.shardBy === 'series' && shard.count > 1)
        err.write(`  split by series: the output above is shard ${shard.index}'s part of ${shard.count}\n`);
    }
    await writeExposition(out, store.current(), '', 'text');
  } finally {
    await sources.close();
  }
  return failed === 0 ? 0 : 1;
}
