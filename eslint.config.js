// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import direction (see DESIGN.md): domain code in src/ never imports integrations/, vendor SDKs,
 * express, lowdb, node-cron or pg; it takes collaborators as arguments and never reads the
 * environment or the wall clock itself.
 */
const DOMAIN = [
  'src/common/**/*.ts',
  'src/contacts/**/*.ts',
  'src/consent/**/*.ts',
  'src/segments/**/*.ts',
  'src/messages/**/*.ts',
  'src/campaigns/**/*.ts',
  'src/delivery/**/*.ts',
  'src/crm/**/*.ts',
];

const forbiddenInDomain = [
  { group: ['**/integrations/**', '../../integrations/*'], message: 'Domain code takes adapters as arguments; only src/app.ts imports integrations/.' },
  { group: ['express', 'express/*', '@slack/*', '@hubspot/*', 'twilio', 'pg', 'pg/*', 'lowdb', 'lowdb/*', 'node-cron', 'smpp', 'pino', 'pino/*'], message: 'Domain code imports no SDK, web framework, store or scheduler: receive a port instead.' },
  { group: ['**/store/lowdb*', '**/store/memory*', '**/store/postgres*', '**/http/**', '**/cli/**', '**/schedule/**', '**/app.js', '../config.js', '../../config.js'], message: 'Domain code depends on ports, not on the service shell.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: DOMAIN,
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInDomain }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in src/config.ts and pass values in.' },
        { object: 'Date', property: 'now', message: 'Take a Clock argument instead of reading the wall clock.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Take a Clock argument instead of reading the wall clock.' },
      ],
    },
  },
);
