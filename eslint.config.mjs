// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'child_process', 'http', 'https', 'net', 'os', 'crypto', 'path', 'readline', 'stream', 'worker_threads', 'dns', 'tls', 'zlib', 'timers', 'process'];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'data/', 'dist/', 'coverage/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Workflow code is replayed: no I/O, no clocks or randomness of its own, no activity/client/worker code.
    files: ['workflows/**/*.ts', 'contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((name) => [name, `node:${name}`]).map((name) => ({ name, message: 'Workflows must not do I/O: use an activity.' })),
            { name: '@temporalio/activity', message: 'Import activity types only, with `import type`.', allowTypeImports: true },
            { name: '@temporalio/client', message: 'Workflows cannot use the client.' },
            { name: '@temporalio/worker', message: 'Workflows cannot use the worker.' },
          ],
          patterns: [
            { group: ['../activities/*', '../activities/**', '../integrations/**', '../gateway/**', '../workers/**', '../config/**'], message: 'Workflows import activity types only.', allowTypeImports: true },
            { group: ['@octokit/*', 'koa', '@koa/*', '@slack/*', 'jira.js', '@sentry/*', 'raw-body', 'yaml'], message: 'No I/O libraries in workflow code.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows must not read the environment.' },
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop from @temporalio/workflow.' },
        { name: 'fetch', message: 'Workflows must not do I/O: use an activity.' },
      ],
    },
  },
  {
    // Plain CommonJS that must start fast under node (the agent's supervisor). tsc checks it (`// @ts-check`),
    // names included, as typescript-eslint advises instead of no-undef.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { 'no-undef': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
