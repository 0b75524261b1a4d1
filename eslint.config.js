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
// output/ (remote write) reads finished snapshots (their exposition, parsed back with the sources' parser) and sends
// them with the sources' HTTP client; only cli/ wires it in, so no other folder may import it.
for (const banned of Object.values(FORBIDDEN)) banned.push('output');
FORBIDDEN.output = ['transform', 'selfmetrics', 'scheduler', 'http', 'cli'];

const layerRules = Object.entries(FORBIDDEN).map(([folder, banned]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: banned.map((b) => `../${b}/*`), message: `src/${folder} must not import from a later pipeline stage (see eslint.config.js).` }] },
    ],
  },
}));

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
