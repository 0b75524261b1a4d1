// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Data flows one way: config → sources → transform → snapshot → exposition → http,
 * with model/ (types) and parsers/ (value parsers) shared by all and cli/ wiring everything. Each folder lists the
 * folders it must not import, so a lint error catches an import going upstream.
 */
const FORBIDDEN = {
  parsers: ['config', 'sources', 'transform', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli', 'logging'],
  model: ['config', 'sources', 'transform', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli', 'logging'],
  logging: ['config', 'sources', 'transform', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli'],
  config: ['sources', 'transform', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli'],
  sources: ['transform', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli'],
  transform: ['sources', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli'],
  snapshot: ['config', 'sources', 'transform', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli'],
  exposition: ['config', 'sources', 'transform', 'selfmetrics', 'scheduler', 'http', 'cli'],
  selfmetrics: ['config', 'sources', 'transform', 'snapshot', 'scheduler', 'http', 'cli'],
  scheduler: ['http', 'cli'],
  http: ['config', 'sources', 'transform', 'selfmetrics', 'scheduler', 'cli'],
};
// output/ (one folder per output kind, listed in output/outputs.ts; remote-write/ first) reads finished snapshots,
// expands them into samples with exposition/samples.ts and sends them with the sources' HTTP client; only cli/
// wires it in, so no other folder may import it.
for (const banned of Object.values(FORBIDDEN)) banned.push('output');
FORBIDDEN.output = ['transform', 'selfmetrics', 'scheduler', 'http', 'cli'];
// registry/ is the composition root of the configuration: config/ holds the loader's machinery and names no
// source type, each source kind (schema, build, runtime) lives in sources/kinds/, and registry/ binds the two
// (parseConfig, loadConfig, redactedConfig). config/ may not import sources/, so only cli/ (and tests) import it.
for (const banned of Object.values(FORBIDDEN)) banned.push('registry');
FORBIDDEN.registry = ['transform', 'snapshot', 'exposition', 'selfmetrics', 'scheduler', 'http', 'cli', 'output'];

/** The layer rule of a folder; `extra`: more patterns for some of its files. */
function layerRule(folder, banned, files = [`src/${folder}/**/*.ts`], extra = []) {
  // `../x/*` from src/<folder>/, `../../x/*` from a subfolder (sources/kinds/, output/remote-write/).
  const group = banned.flatMap((b) => [`../${b}/*`, `../../${b}/*`]);
  const message = `src/${folder} must not import from a later pipeline stage (see eslint.config.js).`;
  return { files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message }, ...extra] }] } };
}

// Tests next to the code load configs as the CLI does: they may import registry/ (the loader).
const layerRules = Object.entries(FORBIDDEN).flatMap(([folder, banned]) => [
  layerRule(folder, banned),
  layerRule(
    folder,
    banned.filter((b) => b !== 'registry'),
    [`src/${folder}/**/*.test.ts`],
  ),
]);
// output/delivery/ (queue, retries, backoff, health logs) is shared by every output: it imports none of them.
layerRules.push(
  layerRule(
    'output',
    FORBIDDEN.output,
    ['src/output/delivery/**/*.ts'],
    [
      {
        regex: '^\\.\\./(?!\\.\\./)',
        message: 'src/output/delivery is shared by every output: it must not import one (see eslint.config.js).',
      },
    ],
  ),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);
