import type { MetricType } from '../model/series.js';
import type { Secret } from '../model/secret.js';
import type { ParserSpec, ValueParser } from '../parsers/index.js';

/**
 * The validated, typed configuration. Built once by `loadConfig`; nothing
 * downstream ever reads YAML.
 */
export interface ExporterConfig<S extends SourceConfig = SourceConfig> {
  /** Absolute path of the file this was loaded from. */
  readonly file: string;
  /** SHA-256 of the file's bytes, to skip reloads of unchanged content. */
  readonly hash: string;
  /** The file's text as the user wrote it with every secret redacted (redact-yaml.ts), for the status page; null: not YAML. */
  readonly shownText?: string | null;
  /** Address to listen on when no `--web.listen-address` flag is given. */
  readonly listenHost: string;
  readonly listenPort: number;
  /** By name; `S`: the union of the kinds' configs, where the loader's caller wants to tell them apart. */
  readonly sources: ReadonlyMap<string, S>;
  readonly transformations: readonly TransformationConfig[];
  /** Source requests in flight at once, over all transformations. */
  readonly maxConcurrentRequests: number;
  /** `remote_write`: endpoints every successful run is pushed to (docs/configuration.md "Remote-write output"). */
  readonly remoteWrite: readonly RemoteWriteConfig[];
}

/** One Prometheus remote-write endpoint. */
export interface RemoteWriteConfig {
  /** Names it in logs and self-metrics (`remote` label); default: the URL without credentials or query. */
  readonly name: string;
  readonly http: HttpClientConfig;
  readonly queue: RemoteWriteQueueConfig;
}

export interface RemoteWriteQueueConfig {
  /** Samples held (queued or in flight) at most; past it the oldest batches are dropped. */
  readonly capacity: number;
  /** Samples in one request at most. */
  readonly maxSamplesPerSend: number;
  /** First retry delay; doubled per failed attempt up to maxBackoffSeconds. */
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  /** Requests in flight at most; series are split over this many shards by hash, each sent in order. */
  readonly maxShards: number;
}

export interface TlsConfig {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
}

export interface BasicAuth {
  readonly username: string;
  /** Password given inline (after `${ENV}` expansion). */
  readonly password?: Secret;
  /** Re-read at every request, so rotated files take effect. */
  readonly passwordFile?: string;
}

export interface HttpClientConfig {
  /** Base URL; may carry a path prefix (`/select/0/prometheus`, `/prometheus`). */
  readonly url: string;
  readonly timeoutSeconds: number;
  readonly basicAuth?: BasicAuth;
  readonly bearerToken?: Secret;
  readonly bearerTokenFile?: string;
  /** Extra request headers. Values are secrets: they often carry tenants or keys. */
  readonly headers: ReadonlyMap<string, Secret>;
  readonly tls: TlsConfig;
  /** Upper bound on a response body, in bytes (decompressed). */
  readonly maxResponseBytes: number;
  /** Ask for an uncompressed answer (`compression: none`, or `auto` on loopback). Set only when true. */
  readonly identityEncoding?: true;
}

/**
 * What every source config has, whatever its kind. Each kind (src/sources/kinds/) extends it with its own
 * fields and a literal `type`; stages after the loader read only these fields and the kind's capabilities.
 */
export interface SourceConfig {
  readonly name: string;
  /** The kind's name, as written in `type:`. */
  readonly type: string;
}

/** A source read over HTTP: its timeout bounds a run, its URL is redacted from errors. */
export interface HttpSourceConfig extends SourceConfig {
  readonly http: HttpClientConfig;
}

/** Does this source (of whatever kind) read over HTTP? */
export function hasHttp(s: SourceConfig): s is HttpSourceConfig {
  return 'http' in s;
}

export type QueryFlavor = 'prometheus' | 'victoriametrics';

/** What the loader and the scheduler may know about a source; given by its kind from its config. */
export interface SourceCapabilities {
  /** Selects series itself (from an exposition): query_filter's regexes must also compile in JavaScript. */
  readonly selectsLocally: boolean;
  /** Reads JSON documents: transformations reading it need a `json:` mapping. */
  readonly readsJson: boolean;
  /** A query API: takes `query:`, in this language (`prometheus` is checked strictly at load). null: no query API. */
  readonly queryLanguage: QueryFlavor | null;
  /** A projection (`group by`, `label_keep`) can reach it: a query API with `pushdown` on. */
  readonly projectable: boolean;
}

/** How a JSON document becomes series: a JSONPath for the records, an expression per label. */
export interface JsonMapping {
  readonly records: string;
  readonly labels: ReadonlyArray<readonly [label: string, expr: string]>;
  /** The transformation's value_from_label: an answer where no record has it is a failed run (unset: `check --probe`). */
  readonly valueLabel?: string;
}

export interface TransformationConfig {
  readonly name: string;
  readonly help: string;
  /** The first (usually only) source; the run reads every one of `sources`. */
  readonly source: string;
  readonly sources: readonly string[];
  /** With several sources: the label that names the source of each series. */
  readonly sourceLabel: string | null;
  /** For json sources: which records are series and which fields are labels. */
  readonly json: JsonMapping | null;
  /** '' when `query` is given. */
  readonly sourceMetric: string;
  readonly queryFilter: string;
  readonly metricType: MetricType;
  readonly valueFromLabel: string;
  /** `null`: keep every source label (minus `__name__`, and for gauges the value label). */
  readonly preserveLabels: readonly string[] | null;
  readonly defaultValue: number | null;
  readonly clearStaleMetrics: boolean;
  readonly skipEmptyLabels: boolean;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  /** Age of the last good data after which its series are dropped. */
  readonly maxStalenessSeconds: number;
  /**
   * `shard_by`, with `--shard.count` > 1: one replica runs it (`transformation`, also when absent),
   * or every replica runs it and serves its part of the output series (`series`).
   */
  readonly shardBy?: 'transformation' | 'series';
  /** `value:` — a parser compiled at load; null: the core's lenient number rules. */
  readonly value: CompiledValue | null;
  /** drop/relabel/rename/static labels and keep_value_label; null: none configured (the fast path). */
  readonly shaping: LabelShaping | null;
  /** What happens when two source series produce the same output label set. */
  readonly onCollision: CollisionPolicy;
  /** More output series than this fails the run; null: not set (here or at the top level), DEFAULTS.maxSeries applies. */
  readonly maxSeries: number | null;
  /** Stateset only: the declared states and the label that carries them. */
  readonly states: StateSetConfig | null;
  /** Histogram only: the upper bounds of the buckets, increasing (+Inf is implied). */
  readonly buckets: readonly number[] | null;
  /** A name with `{{label}}` parts, filled per source series; null: the name is fixed. */
  readonly nameTemplate: NameTemplate | null;
  /** Dynamic names: more distinct names than this fails the run. */
  readonly maxNames: number;
  /** `mode: on_scrape`: runs when /metrics is scraped, not on a timer (see scheduler/on-scrape.ts). Absent: `mode: interval`. */
  readonly onScrape?: OnScrapeSettings | undefined;
  /** `query:` — the user's expression, sent verbatim instead of `sourceMetric{queryFilter}`; null: none. */
  readonly query: string | null;
  /**
   * The source may be asked `group by (<projection>) (<selector>)` instead of the
   * selector: true only where that provably gives the same output (see build-query.ts).
   */
  readonly pushdown: boolean;
  /** `pushdown: true`: push down at every run; otherwise (`auto`) a PushdownAdvisor decides per run. Set only when true. */
  readonly pushdownAlways?: true;
}

export interface OnScrapeSettings {
  /** A run's result is reused by scrapes for this long after it ended (0: only a run in flight is shared). */
  readonly cacheSeconds: number;
}

export interface StateSetConfig {
  readonly values: readonly string[];
  readonly label: string;
}

/** Literal text and source label names, in order; the filled name is sanitized and checked at run time. */
export type NameTemplate = ReadonlyArray<string | { readonly label: string }>;

/** `on_collision`; `max` is the core's rule (and the default). */
export type CollisionPolicy = 'first' | 'last' | 'min' | 'max' | 'sum' | 'count' | 'error';

/**
 * Label shaping, applied to each output label set in this order:
 * preserve (incl. `keep_value_label`) → drop → relabel → rename → static → source label.
 * Plain data (regexes as their source text), so config fingerprints compare them;
 * the transformer compiles them once per run.
 */
export interface LabelShaping {
  readonly dropLabels: readonly string[];
  readonly relabel: readonly RelabelRule[];
  /** `[from, to]` pairs. */
  readonly renameLabels: ReadonlyArray<readonly [from: string, to: string]>;
  /** `[name, value]` pairs. */
  readonly staticLabels: ReadonlyArray<readonly [name: string, value: string]>;
  /** Gauges: also carry the value label's original string. */
  readonly keepValueLabel: boolean;
}

/** A Prometheus-style `replace`: the regex is anchored at both ends. */
export interface RelabelRule {
  readonly sourceLabel: string;
  /** As written (unanchored); checked at load. */
  readonly regex: string;
  readonly replacement: string;
  readonly targetLabel: string;
  /** The replacement, parsed at load: literal text, or a capture group by number or name. */
  readonly expansion: readonly ReplacementPart[];
}

export type ReplacementPart = string | number | { readonly group: string };

export interface CompiledValue {
  readonly spec: ParserSpec;
  readonly parse: ValueParser;
}
