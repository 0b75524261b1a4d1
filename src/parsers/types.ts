import { z } from 'zod';

/**
 * Value parsers turn one label value into one sample value. Each is compiled
 * once from its options (`ParserSpec`, plain data as it comes from YAML after
 * validation) into a `ValueParser`, which is pure, never throws and never hangs.
 */

/**
 * The result of parsing one label value. `reason` is a short, stable
 * snake_case word used as a self-metric label value (`empty`, `not_a_number`,
 * `no_match`, `unknown_value`, `not_a_version`, `out_of_range`, ...).
 */
export type ParseOutcome = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

export type ValueParser = (raw: string) => ParseOutcome;

/**
 * One value parser: its `value:` block (`parser: <name>` and the options, a
 * strict zod object whose inferred type is the parser's spec) and its compile
 * step. Each parser file exports one; src/parsers/index.ts lists them, and the
 * config's `value:` schema, PARSER_NAMES and compileParser come from that list.
 */
export interface ParserDefinition<N extends string = string, S extends z.ZodType<{ parser: N }> = z.ZodType<{ parser: N }>> {
  readonly name: N;
  readonly schema: S;
  /**
   * Compiles once, at config load. Throws ParserConfigError (with the offending
   * field) for options the schema cannot express; the returned function never throws.
   */
  readonly compile: (spec: z.infer<S>) => ValueParser;
}

/** The strict `value:` object of parser `name`: `parser: <name>` plus `options`. */
export function parserSchema<const N extends string, O extends z.ZodRawShape>(name: N, options: O) {
  return z.strictObject({ parser: z.literal(name), ...options });
}

/** A parser definition from its schema (made with parserSchema) and compile step. */
export function defineParser<S extends z.ZodObject<{ parser: z.ZodLiteral<string> }>>(
  schema: S,
  compile: (spec: z.infer<S>) => ValueParser,
): ParserDefinition<z.infer<S>['parser'], S> {
  return { name: schema.shape.parser.value, schema, compile } as ParserDefinition<z.infer<S>['parser'], S>;
}

/**
 * A problem found while compiling a parser (a bad regex, a clashing map key).
 * `field` names the option inside the parser spec (`pattern`, `group`,
 * `values`, ...), so the config loader can point at the exact location.
 */
export class ParserConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParserConfigError';
  }
}
