/**
 * The enumerated label values of src/selfmetrics/definitions.ts agree with the
 * types they describe, which live in folders src/selfmetrics may not import
 * (output, scheduler, transform). The checks are at compile time: this file
 * does not build when a list drifts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DropReason, FailureReason } from '../../../src/output/delivery/observer.js';
import type { Projection as AdvisorProjection } from '../../../src/scheduler/pushdown-advisor.js';
import type { SkipReason as TransformerSkipReason } from '../../../src/transform/transformer.js';
import {
  BUILTIN_SKIP_REASONS,
  PROJECTIONS,
  REMOTE_DROP_REASONS,
  REMOTE_FAILURE_REASONS,
  type Projection,
  type RemoteDropReason,
  type RemoteFailureReason,
} from '../../../src/selfmetrics/definitions.js';

/** `true` only when A and B are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The string literals of a union, without an open `(string & {})` member. */
type Literals<T> = T extends unknown ? (string extends T ? never : T) : never;

const remoteFailures: Same<FailureReason, RemoteFailureReason> = true;
const remoteDrops: Same<DropReason, RemoteDropReason> = true;
const projections: Same<AdvisorProjection, Projection> = true;
const skipReasons: Same<Literals<TransformerSkipReason>, (typeof BUILTIN_SKIP_REASONS)[number]> = true;

describe('enumerated self-metric label values', () => {
  it('are the values of the types they describe (checked when compiling)', () => {
    assert.deepEqual([remoteFailures, remoteDrops, projections, skipReasons], [true, true, true, true]);
  });

  it('list each value once', () => {
    for (const list of [REMOTE_FAILURE_REASONS, REMOTE_DROP_REASONS, PROJECTIONS, BUILTIN_SKIP_REASONS]) {
      assert.equal(new Set(list).size, list.length, list.join(', '));
    }
  });
});
