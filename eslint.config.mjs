import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the console's browser modules use from the page (it has no build step, so no imports for these). */
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'window', 'document', 'location', 'history', 'navigator', 'fetch', 'URL', 'URLSearchParams', 'Node', 'Event',
    'setTimeout', 'clearTimeout', 'Intl', 'console',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'bench/results/', 'db/**/migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['console/**/*.js'],
    languageOptions: { sourceType: 'module', globals: BROWSER_GLOBALS },
  },
);
