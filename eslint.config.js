// ESLint (flat config) with typescript-eslint's recommended rules, and the rule that keeps src/core pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What src/core may not import: plans are computed from arguments, never from the disk, processes,
 *  the network or databases (docs: DESIGN.md "Side effects live at the edges"). */
const IO_MODULES = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'os', 'process', 'readline', 'worker_threads', 'dgram', 'tls', 'dns', 'cluster', 'vm'];
const IO_PACKAGES = ['execa', 'better-sqlite3', 'kysely', 'simple-git', '@hono/node-server', 'hono'];

/** What providers, operations and agents may not import: the machine is reached through a Host. */
const SEAM_MODULES = ['fs', 'fs/promises', 'child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/**/*.generated.ts', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', performance: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Matching control characters is the point where gaia meets terminals and names (tmux, git's
      // record separators, NUL in names): those regexes are deliberate.
      'no-control-regex': 'off',
    },
  },
  {
    // A test reads JSON bodies and asserts on their shape; typing each one would only restate the assertion.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...IO_MODULES.flatMap((m) => [m, `node:${m}`]), ...IO_PACKAGES].map((name) => ({
          name, message: 'src/core does no I/O: take what it needs as arguments (side effects live in providers, state and cli).',
        })),
        patterns: [{ group: ['**/host/**', '**/providers/**', '**/state/**', '**/cli/**', '**/server/**'], message: 'src/core depends on nothing outside it that does I/O.' }],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core does no I/O: pass the environment, clock or arguments in.' }],
    },
  },
  {
    // The one seam for side effects (src/host/host.ts): providers, day-two operations and agents reach
    // files, processes, commands and databases through the Host they are given, never directly, so
    // that each works on whatever host its resources are on.
    files: ['src/providers/**', 'src/ops/**', 'src/agents/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [...SEAM_MODULES.flatMap((m) => [m, `node:${m}`]), 'better-sqlite3', 'execa', 'simple-git'].map((name) => ({
          name, message: 'reach the machine through the Host in the context (src/host/host.ts), not directly.',
        })),
        patterns: [
          { group: ['**/host/local/**'], allowTypeImports: true, message: 'use the Host in the context; only src/host/local/local-host.ts puts this machine behind it.' },
          { group: ['**/host/exec.js'], importNames: ['localExecutor'], message: 'run commands through the Host in the context.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'process', property: 'kill', message: 'signal through host.processes (src/host/host.ts).' },
        { object: 'process', property: 'chdir', message: 'hold folders through host.files.inHeldFolder.' }],
    },
  },
  {
    // CommonJS launcher and the browser-free Node scripts.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
