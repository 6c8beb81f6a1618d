import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

// Captured data comes from servers we do not trust: no HTML sinks, no code from strings, and only
// src/lib/backend.ts talks to Tauri.
/** @type {import('eslint').Linter.RulesRecord} */
const security = {
  'no-eval': 'error',
  'no-implied-eval': 'error',
  'no-new-func': 'error',
  'no-script-url': 'error',
  'no-restricted-properties': [
    'error',
    { property: 'innerHTML', message: 'Render captured data as text only.' },
    { property: 'outerHTML', message: 'Render captured data as text only.' },
    { property: 'insertAdjacentHTML', message: 'Render captured data as text only.' },
    { object: 'document', property: 'write', message: 'Render captured data as text only.' },
    { object: 'window', property: 'open', message: 'No external links or windows.' },
  ],
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: '@tauri-apps/api/core', message: 'Use the Backend from context (src/lib/backend.ts).' },
        { name: '@tauri-apps/api', message: 'Use the Backend from context (src/lib/backend.ts).' },
      ],
    },
  ],
};

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'src/lib/bindings/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...security,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'svelte/no-at-html-tags': 'error',
      'svelte/no-target-blank': 'error',
      'svelte/button-has-type': 'error',
      'svelte/require-each-key': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    files: ['src/lib/backend.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['vite.config.ts', 'svelte.config.js', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['tests/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    // The injection tests carry javascript: URLs on purpose, as data.
    rules: { 'no-script-url': 'off' },
  },
);
