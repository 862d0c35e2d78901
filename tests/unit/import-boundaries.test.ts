// The README folder table's "may import" column, as eslint.config.js enforces it in `npm run lint`: a layer cannot
// reach up or across, and each library stays in its one home folder. Lints small files as if they
// stood in each folder, with the project's own ESLint configuration.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });

/** The messages of the import-boundary rule for this code at this path (the file need not exist). */
async function refused(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the import boundaries', () => {
  it('refuse Dexie outside src/storage, and each library outside its home', async () => {
    expect(await refused('src/app/screens/Fixture.tsx', "import x from 'dexie';")).toEqual([expect.stringContaining('dexie in src/storage')]);
    expect(await refused('src/sync/fixture.ts', "import { get as x } from 'idb-keyval';")).toHaveLength(1);
    expect(await refused('src/app/fixture.ts', "import x from 'signature_pad';")).toHaveLength(1);
    expect(await refused('src/app/fixture.ts', "import { Workbox as x } from 'workbox-window';")).toHaveLength(1);
    expect(await refused('src/storage/fixture.ts', "import x from 'dexie';")).toEqual([]);
    expect(await refused('src/capture/fixture.ts', "import x from 'signature_pad';")).toEqual([]);
  });

  it('refuse an import that runs up or across the layers', async () => {
    expect(await refused('src/server/routes/fixture.ts', "import { x } from '../../app/messages';")).toEqual([
      expect.stringContaining('src/server may import only src/shared'),
    ]);
    expect(await refused('src/lead/components/fixture.tsx', "import { en as x } from '../../app/i18n/en';")).toHaveLength(1);
    expect(await refused('src/shared/fixture.ts', "import type { x } from '../storage/settings';")).toHaveLength(1);
    expect(await refused('src/storage/fixture.ts', "import { x } from '../sync/sync-engine';")).toHaveLength(1);
    expect(await refused('src/app/fixture.ts', "import { x } from '../server/app';")).toHaveLength(1);
    expect(await refused('sw/fixture.ts', "import { x } from '../src/app/messages';")).toHaveLength(1);
  });

  it('let each folder import what the table allows', async () => {
    expect(await refused('src/app/screens/Fixture.tsx', "import { x } from '../../storage/settings';")).toEqual([]);
    expect(await refused('src/sync/fixture.ts', "import { x } from '../storage/outbox';")).toEqual([]);
    expect(await refused('src/server/routes/fixture.ts', "import { x } from '../../shared/protocol';")).toEqual([]);
    expect(await refused('src/server/routes/fixture.ts', "import { x } from '../db/receipts';")).toEqual([]);
    expect(await refused('sw/fixture.ts', "import { x } from '../src/sync/sync-engine';")).toEqual([]);
  });
});
