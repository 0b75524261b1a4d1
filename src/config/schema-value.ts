import { z } from 'zod';

/**
 * The `value:` block of a transformation: which parser turns the label value
 * into a number, and its options (see src/parsers/). Shapes only; options are
 * checked further when the parser is compiled at load (a bad regex, say).
 */
export const valueSchema = z.discriminatedUnion(
  'parser',
  [
    z.strictObject({ parser: z.literal('number'), strict: z.boolean().optional() }),
    z.strictObject({ parser: z.literal('semver'), part: z.enum(['major', 'minor', 'patch', 'sortable']).optional() }),
    z.strictObject({
      parser: z.literal('version'),
      parts: z.number().int().min(1).max(6).optional(),
      digits: z.number().int().min(1).max(6).optional(),
      prefix: z.string().optional(),
    }),
    z.strictObject({ parser: z.literal('regex'), pattern: z.string(), group: z.union([z.number().int().nonnegative(), z.string()]).optional() }),
    z.strictObject({
      parser: z.literal('map'),
      values: z.record(z.string(), z.number()),
      default: z.number().optional(),
      case_insensitive: z.boolean().optional(),
    }),
    z.strictObject({ parser: z.literal('boolean') }),
    z.strictObject({ parser: z.literal('duration') }),
    z.strictObject({ parser: z.literal('bytes') }),
    z.strictObject({ parser: z.literal('timestamp'), unit: z.enum(['auto', 's', 'ms']).optional() }),
  ],
  { error: 'expected parser: number, semver, version, regex, map, boolean, duration, bytes or timestamp' },
);
