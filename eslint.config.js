import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const forbiddenInPureLayers = {
  paths: [...nodeBuiltins, 'electron', 'better-sqlite3', 'ws'].map((name) => ({
    name,
    message: 'emulator/ and exercises/engine/ are pure: they run in Node, a Web Worker and Electron alike. Pass what you need in from the caller.',
  })),
  patterns: [
    { group: ['node:*'], message: 'No node:* imports in the pure layers.' },
    { group: ['**/electron/**', '**/backend/**', '**/renderer/**'], message: 'The pure layers import nothing from electron/, backend/ or renderer/.' },
  ],
};

const domAndNodeGlobals = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
  name,
  message: 'The pure layers must not touch DOM or Node globals.',
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'release/**', 'test-results/**', 'playwright-report/**', 'renderer/dist/**', 'tests/fixtures/**', '**/*.generated.*'] },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    files: ['renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['emulator/**/*.ts', 'exercises/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', forbiddenInPureLayers],
      'no-restricted-globals': ['error', ...domAndNodeGlobals],
    },
  },
  {
    files: ['emulator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        ...forbiddenInPureLayers,
        patterns: [...forbiddenInPureLayers.patterns, { group: ['**/exercises/**'], message: 'emulator/ imports nothing of ours from outside emulator/.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, 'electron', 'better-sqlite3', 'ws'].map((name) => ({ name, message: 'The renderer never sees Node or Electron: ask the backend through the typed API.' })),
        patterns: [
          { group: ['node:*'], message: 'The renderer never sees Node.' },
          // A regex, because a gitignore-style negation cannot re-include a file below an excluded folder.
          { regex: '(^|/)electron/(?!api/contract(\\.ts)?$)', message: 'From electron/ the renderer may import only the API contract.' },
        ],
      }],
    },
  },
);
