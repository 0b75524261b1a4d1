import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import { buildConfig } from './build.js';
import type { PathSegment } from './locate.js';
import { Problems } from './problems.js';
import { basicAuth, configSchema, fileSource, prometheusSource, tlsConfig } from './schema.js';
import { suggest } from './suggest.js';
import type { ExporterConfig } from './types.js';

type Issue = z.core.$ZodIssue;

/** Keys allowed at `path`, for "did you mean" hints. */
function knownKeys(path: readonly PathSegment[]): string[] {
  const names = path.filter((p): p is string => typeof p === 'string');
  const shape = (() => {
    const top = configSchema.shape;
    if (names.length === 0) return top;
    if (names[0] === 'metric_transformations') return top.metric_transformations.element.shape;
    if (names[0] === 'sources') {
      if (names[1] === 'basic_auth') return basicAuth.shape;
      if (names[1] === 'tls_config') return tlsConfig.shape;
      return { ...prometheusSource.shape, ...fileSource.shape };
    }
    return {};
  })();
  return Object.keys(shape);
}

function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing required field (expected ${issue.expected})`;
  }
  const msg = issue.message.replace(/^Invalid input: /, '');
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

function reportIssues(problems: Problems, issues: readonly Issue[]): void {
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggest(key, knownKeys(path));
        problems.add([...path, key], `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}`, true);
      }
    } else {
      problems.add(path, describeIssue(issue));
    }
  }
}

function parseYaml(text: string, problems: Problems, lc: LineCounter): Document | undefined {
  // YAML 1.1, as PyYAML reads it: the prototype's users may write `yes`/`no` and merge keys.
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, version: '1.1', logLevel: 'error' });
  for (const err of doc.errors) {
    const { line, col } = lc.linePos(err.pos[0]);
    problems.addAt(line, col, `YAML syntax error: ${err.message.split('\n')[0]}`);
  }
  return problems.empty ? doc : undefined;
}

/**
 * Parses and validates a whole configuration text. Throws `ConfigError` listing
 * every problem with file:line:column; never returns a partial config.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ExporterConfig {
  const abs = resolve(file);
  const lc = new LineCounter();
  const pre = new Problems(abs, undefined, lc);
  const doc = parseYaml(text, pre, lc);
  if (!doc) throw new ConfigError(pre.list);
  const problems = new Problems(abs, doc, lc);
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (e) {
    // yaml throws these from toJS, not into doc.errors: an undefined alias, an alias bomb, `<<` with a non-map value.
    problems.addAt(1, 1, `YAML error: ${(e as Error).message.split('\n')[0]}`);
    throw new ConfigError(problems.list, { cause: e });
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    reportIssues(problems, parsed.error.issues);
    throw new ConfigError(problems.list);
  }
  const hash = createHash('sha256').update(text).digest('hex');
  const config = buildConfig({ dir: dirname(abs), env, problems }, parsed.data, abs, hash);
  if (!problems.empty) throw new ConfigError(problems.list);
  return config;
}

/** Reads and parses a configuration file. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ExporterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ file: resolve(file), line: 0, column: 0, path: '', message: `cannot read config file (${code})` }], { cause: e });
  }
  return parseConfig(text, file, env);
}
