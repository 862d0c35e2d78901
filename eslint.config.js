// Lint, run by `npm test` before the tests: typescript-eslint's recommended rules, and the "may
// import" column of the README's folder table made executable, so a layer cannot reach up or across (ESLint's own
// no-restricted-imports, one block per folder). tests/unit/import-boundaries.test.ts shows it bites.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Which project folders each folder may import (the README's folder table). Anything else of the project is refused. */
export const MAY_IMPORT = {
  shared: [],
  storage: ['shared'],
  capture: ['shared'],
  sync: ['shared', 'storage'],
  pwa: ['shared'],
  app: ['shared', 'storage', 'capture', 'sync', 'pwa'],
  lead: ['shared'],
  server: ['shared'],
  sw: ['shared', 'sync', 'storage'],
};
/** Each library's one home folder. */
export const LIBRARY_HOME = { dexie: 'storage', 'idb-keyval': 'storage', signature_pad: 'capture', 'workbox-window': 'pwa' };

// Build code (src/build) is Node code for vite.config.ts: no layer imports it.
const FOLDERS = [...Object.keys(MAY_IMPORT), 'build'];
const filesOf = (folder) => (folder === 'sw' ? ['sw/**/*.ts'] : [`src/${folder}/**/*.{ts,tsx}`]);

const boundaries = Object.entries(MAY_IMPORT).map(([folder, allowed]) => {
  const refused = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
  const libraries = Object.entries(LIBRARY_HOME)
    .filter(([, home]) => home !== folder)
    .map(([library]) => library);
  return {
    name: `fieldpen/boundaries/${folder}`,
    files: filesOf(folder),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Relative paths that climb out of the folder into another one: `../storage/…`, `../../src/sync/…`.
              regex: `^(\\.\\./)+(src/)?(${refused.join('|')})(/|$)`,
              message: `${folder === 'sw' ? 'sw' : `src/${folder}`} may import only ${allowed.length ? allowed.map((f) => (f === 'sw' ? 'sw' : `src/${f}`)).join(', ') : 'nothing of the project'} (README, Folders).`,
            },
            {
              regex: `^(${libraries.join('|')})(/|$)`,
              message: `Each library has one home folder: ${Object.entries(LIBRARY_HOME)
                .map(([library, home]) => `${library} in src/${home}`)
                .join(', ')}.`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'screenshots/', 'coverage/', 'data/', 'tests/fixtures/'] },
  {
    files: ['**/*.{js,mjs,ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      // Matching control characters is deliberate here: JSON escaping, refusing them in names.
      'no-control-regex': 'off',
      // Two assignments joined by a comma in one statement are a style the code uses (src/storage/outbox.ts).
      '@typescript-eslint/no-unused-expressions': 'off',
      // A leading underscore names what is left out on purpose (`const { digest: _digest, ...content } = record`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  ...boundaries,
);
