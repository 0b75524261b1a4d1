import type { TransformationConfig } from '../config/types.js';
import { describeOwner, ownerOfTransformation } from '../transform/shard.js';

/**
 * `check --shard.count N`: which replica runs each transformation, and how
 * many each gets, so an operator sees the split before deploying it.
 */
export function assignmentText(transformations: readonly TransformationConfig[], count: number): string {
  const lines = [`shard assignment for --shard.count ${count}:`];
  const perShard = new Array<number>(count).fill(0);
  const split = transformations.filter((t) => t.shardBy === 'series').length;
  for (const t of transformations) {
    if (t.shardBy !== 'series') {
      const owner = ownerOfTransformation(t.name, count);
      perShard[owner] = (perShard[owner] ?? 0) + 1;
    }
    lines.push(`  ${t.name}: ${describeOwner(t, count)}`);
  }
  const totals = perShard.map((n, i) => `shard ${i}: ${n}${split ? ` + ${split} split by series` : ''}`);
  lines.push(`  transformations per shard: ${totals.join('; ')}`);
  const idle = perShard.flatMap((n, i) => (n === 0 && split === 0 ? [i] : []));
  if (idle.length > 0) lines.push(`  note: shard(s) ${idle.join(', ')} get no transformation; consider fewer replicas or shard_by: series`);
  return `${lines.join('\n')}\n`;
}
