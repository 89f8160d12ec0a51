import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

/** Layering from DESIGN.md, enforced: who may import whom. */
const layers = [
  { target: './src/domain', from: ['./src/config', './src/persistence', './src/services', './src/graphql', './src/http', './src/temporal', './src/storage', './src/scanners', './activities', './workflows'], message: 'domain is pure: it imports nothing of ours outside src/domain' },
  { target: './src/persistence', from: ['./src/services', './src/graphql', './src/http', './activities', './workflows'], message: 'persistence sits below services' },
  { target: './src/services', from: ['./src/graphql', './src/http', './activities', './workflows'], message: 'services do not know their callers' },
  { target: './src/graphql', from: ['./src/persistence', './activities', './workflows'], message: 'graphql goes through services, never to tables, activities or workflows' },
  { target: './workflows', from: ['./src/config', './src/persistence', './src/services', './src/graphql', './src/http', './src/temporal', './src/storage', './src/scanners'], message: 'workflows are deterministic: only import type from activities and domain' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'console/dist/**', 'node_modules/**', '.data/**', '.venv*/**', '.tools/**', 'coverage/**', 'jest.config.js', 'eslint.config.mjs', 'test/support/ts-register.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    languageOptions: { parserOptions: { project: './tsconfig.json' } },
    rules: {
      'import/no-restricted-paths': ['error', { zones: layers }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The web console is a browser app with its own tsconfig (DOM, JSX); it imports nothing from src/.
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    languageOptions: { parserOptions: { project: './console/tsconfig.json' } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', 'no-restricted-imports': ['error', { patterns: ['**/src/*', '../../src/**'] }] },
  },
  {
    // Workflows run in Temporal's sandbox: no Node built-ins, clock or randomness beyond what it patches.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'child_process'] }],
    },
  },
);
