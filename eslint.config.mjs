// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layerRules from './eslint.layer-rules.cjs';
import workflowRules from './eslint.workflow-rules.cjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.instudio/**', 'bench/results/**', 'chaos/results/**', 'jest.config.js', 'eslint.config.mjs', 'eslint.workflow-rules.cjs', 'eslint.layer-rules.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // Tests read JSON bodies as they come.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  workflowRules,
  ...layerRules,
);
