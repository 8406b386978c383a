// Flat config: typescript-eslint's recommended rules over the whole source tree.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'runs/**', 'dist/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', performance: 'readonly', structuredClone: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Built-in plugins and recipes use exactly the API a third-party author has: the package's
    // entry points, nothing deeper (DESIGN.md). The fixture plugin is held to the same line.
    files: ['plugins/**/*.ts', 'recipes/**/*.ts', 'test/fixtures/third-party-plugin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/core', '**/core/**'], message: "Import Attune through its entry points: 'attune', 'attune/data', 'attune/model', 'attune/engine' or 'attune/train'." },
            { regex: '^attune/(?!(data|model|engine|train)$)', message: "Only 'attune', 'attune/data', 'attune/model', 'attune/engine' and 'attune/train' are public entry points." },
          ],
        },
      ],
    },
  },
);
