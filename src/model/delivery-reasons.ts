/**
 * Why an output's send attempt failed, and why it gave samples up: one list each, read by the delivery code
 * (src/output/delivery/) and by the self-metrics that count them (src/selfmetrics/definitions.ts), which may
 * not import each other.
 */

/** Why a send attempt failed; every reason but `http_4xx` is retried. */
export const FAILURE_REASONS = ['http_5xx', 'http_429', 'http_4xx', 'connection', 'timeout', 'other'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Why samples were given up: a 4xx answer, a full queue, shutdown, or the endpoint removed on reload. */
export const DROP_REASONS = ['rejected', 'queue_full', 'shutdown', 'removed'] as const;
export type DropReason = (typeof DROP_REASONS)[number];
