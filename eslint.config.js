// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/**
 * Architecture boundaries (see docs/architecture.md). Each room may import only what it is
 * allowed to; tests/unit/lint-boundaries.test.ts proves that a bad import fails lint.
 */
const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** Relative imports that climb into another layer's folder, e.g. `../../core/store`. */
const layer = (...names) => `^(\\.\\./)+(src/)?(${names.join('|')})(/|$)`;

const restrict = (message, layers, packages = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: packages.filter((name) => !name.includes('*')).map((name) => ({ name, message })),
      patterns: [
        { regex: layer(...layers), message },
        ...(packages.some((name) => name.includes('*'))
          ? [{ group: packages.filter((name) => name.includes('*')), message }]
          : []),
      ],
    },
  ],
});

const boundaries = [
  {
    name: 'boundaries/shared',
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: restrict(
      'src/shared is pure TypeScript: no Node, DOM, Electron, React or other layers.',
      ['core', 'main', 'preload', 'renderer', 'server', 'harness'],
      [
        ...nodeBuiltins,
        'electron',
        'electron/*',
        'react',
        'react-dom',
        'react-dom/*',
        '@mantine/*',
        '@tanstack/*',
        'i18next',
        'react-i18next',
      ],
    ),
  },
  {
    name: 'boundaries/core',
    files: ['src/core/**/*.ts'],
    rules: restrict(
      'src/core is Electron-free Node: it may use src/shared and Node, never Electron, the renderer, main or the server.',
      ['main', 'preload', 'renderer', 'server', 'harness'],
      ['electron', 'electron/*', 'react', 'react-dom', 'react-dom/*', '@mantine/*'],
    ),
  },
  {
    name: 'boundaries/renderer',
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict(
      'src/renderer speaks only the RPC contract: no Node, Electron, core, main, preload or server code.',
      ['core', 'main', 'preload', 'server', 'harness'],
      [
        ...nodeBuiltins,
        'electron',
        'electron/*',
        'better-sqlite3',
        'keytar',
        'pino',
        'drizzle-orm',
        'drizzle-orm/*',
        'ws',
      ],
    ),
  },
  {
    name: 'boundaries/preload',
    files: ['src/preload/**/*.ts'],
    rules: restrict(
      'src/preload exposes the RPC bridge and nothing else: only electron and types from src/shared.',
      ['core', 'main', 'renderer', 'server', 'harness'],
      [...nodeBuiltins, 'react', 'react-dom', '@mantine/*'],
    ),
  },
  {
    name: 'boundaries/main',
    files: ['src/main/**/*.ts'],
    rules: restrict(
      'src/main is thin: it starts the core as a process (by path), never imports core, renderer or server code.',
      ['core', 'renderer', 'preload', 'server', 'harness'],
      ['react', 'react-dom', '@mantine/*'],
    ),
  },
  {
    name: 'boundaries/server',
    files: ['src/server/**/*.ts'],
    rules: restrict(
      'src/server is the clinic server: src/shared only, never workstation code or Electron.',
      ['core', 'main', 'preload', 'renderer', 'harness'],
      ['electron', 'electron/*', 'react', 'react-dom', '@mantine/*'],
    ),
  },
];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'src/core/store/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    name: 'continuum/typescript',
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    name: 'continuum/node-globals',
    files: [
      'src/core/**',
      'src/main/**',
      'src/server/**',
      'src/harness/**',
      'tests/**',
      'bench/**',
      'scripts/**',
      '*.config.{ts,js}',
      'eslint.config.js',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    name: 'continuum/browser-globals',
    files: ['src/renderer/**', 'src/preload/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'continuum/react',
    files: ['src/renderer/**/*.tsx', 'src/renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    name: 'continuum/tools-may-print',
    files: ['bench/**', 'tests/**', 'src/harness/dev-web.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  ...boundaries,
  prettier,
);
