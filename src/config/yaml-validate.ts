import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import type { PathSegment } from './locate.js';
import { Problems } from './problems.js';
import { suggest } from './suggest.js';

type Issue = z.core.$ZodIssue;

export interface Validated<T> {
  readonly data: T;
  /** For the caller's own (semantic) checks, positioned in the same document. */
  readonly problems: Problems;
  readonly file: string;
}

function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing required field (expected ${issue.expected})`;
  }
  const msg = issue.message.replace(/^Invalid input: /, '');
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

function reportIssues(problems: Problems, issues: readonly Issue[], knownKeys: (path: readonly PathSegment[]) => string[]): void {
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggest(key, knownKeys(path));
        problems.add([...path, key], `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}`, true);
      }
    } else if (issue.code === 'invalid_key') {
      // A record key failed: point at the key itself with the key's own message.
      const inner = issue.issues[0];
      problems.add(path, inner ? describeIssue(inner as Issue) : 'invalid key', true);
    } else {
      problems.add(path, describeIssue(issue));
    }
  }
}

/**
 * Parses a YAML text (1.1, as PyYAML reads it: `yes`/`no`, merge keys) and
 * checks it against a schema. Every problem carries file:line:column and the
 * field path; unknown keys get a "did you mean" from `knownKeys`. Throws
 * `ConfigError`; never returns partial data.
 */
export function validateYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  knownKeys: (path: readonly PathSegment[]) => string[],
): Validated<z.infer<S>> {
  const abs = resolve(file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, version: '1.1', logLevel: 'error' });
  const problems = new Problems(abs, doc, lc);
  for (const err of doc.errors) {
    const { line, col } = lc.linePos(err.pos[0]);
    problems.addAt(line, col, `YAML syntax error: ${err.message.split('\n')[0]}`);
  }
  if (!problems.empty) throw new ConfigError(problems.list);
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (e) {
    // yaml throws these from toJS, not into doc.errors: an undefined alias, an alias bomb, `<<` with a non-map value.
    problems.addAt(1, 1, `YAML error: ${(e as Error).message.split('\n')[0]}`);
    throw new ConfigError(problems.list, { cause: e });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    reportIssues(problems, parsed.error.issues, knownKeys);
    throw new ConfigError(problems.list);
  }
  return { data: parsed.data, problems, file: abs };
}
