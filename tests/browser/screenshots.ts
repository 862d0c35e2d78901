// `npm run screenshots`: every volunteer screen as a PNG, at 1024×768 and 768×1024 (and a phone),
// into screenshots/ (git-ignored), so anyone can look at the app without a tablet.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchTablet, drawAutograph, fillSigner } from '../support/browser';
import { enrolledTablet, setRoster } from '../support/volunteer';
import { ensureChromium } from '../ensure-chromium.mjs';

ensureChromium(); // and the CJK font: the Chinese screens must show what a tablet shows
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = `${ROOT}screenshots`;
const VIEWPORTS = [
  { name: 'landscape', width: 1024, height: 768 },
  { name: 'portrait', width: 768, height: 1024 },
  { name: 'phone', width: 390, height: 844 },
];

if (!process.env.FIELDPEN_SKIP_BUILD) {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}
mkdirSync(OUT, { recursive: true });

const t = await enrolledTablet('Sam Rivera');
const { page, server } = t;
try {
  // A few signatures, one voided, so today's list has something to show.
  const people = [
    { givenName: 'Rosa', familyName: 'Delgado', street: '12 Oak Avenue', city: 'Columbus', state: 'OH', zip: '43215' },
    { givenName: 'Wei', familyName: 'Chen', street: '881 High Street', city: 'Columbus', state: 'OH', zip: '43201' },
    { givenName: 'Marcus', familyName: "O'Neil", street: '5 Linden Place', city: 'Dayton', state: 'OH', zip: '45402' },
  ];
  for (const [i, p] of people.entries()) {
    await fillSigner(page, p);
    await drawAutograph(page, i);
    await page.getByRole('button', { name: 'Save signature' }).click();
    await page.locator('#next-signer').waitFor();
    if (i < people.length - 1) await page.locator('#next-signer').click();
  }
  await setRoster(page, ['Ana Ruiz', 'Sam Rivera', 'Tomás Ortega']);
  await page.goto(`${server.url}/#today`);
  await page.getByRole('button', { name: 'Void #2' }).click();
  await page.getByLabel('Reason for voiding').fill('Signed twice');
  await page.getByRole('button', { name: 'Void signature #2' }).click();

  for (const vp of VIEWPORTS) {
    await page.setViewportSize(vp);
    const shot = async (name: string) => {
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${OUT}/${name}-${vp.name}.png`, fullPage: false });
    };
    await page.goto(`${server.url}/`);
    await page.locator('#petition-title').waitFor();
    await shot('1-sign');
    await page.getByRole('button', { name: 'Save signature' }).click();
    await page.locator('#givenName-error').waitFor();
    await shot('2-sign-errors');
    await fillSigner(page, { givenName: 'Ana', familyName: 'Lee', street: '7 Birch Lane', city: 'Columbus', state: 'OH', zip: '43215' });
    await drawAutograph(page, 1);
    await page.getByLabel('Signed with assistance').check();
    await page.getByRole('button', { name: 'Save signature' }).scrollIntoViewIfNeeded();
    await shot('3-sign-filled');
    await page.getByLabel(/helped this signer/).check();
    await page.getByRole('button', { name: 'Save signature' }).click();
    await page.locator('#next-signer').waitFor();
    await shot('4-saved');
    await page.locator('#next-signer').click();
    await page.getByRole('button', { name: 'Español' }).click();
    await page.locator('label[for=givenName]', { hasText: 'Nombre' }).waitFor();
    await shot('5-sign-es');
    await page.getByRole('button', { name: '简体中文' }).click();
    await page.locator('label[for=givenName]', { hasText: '名' }).waitFor();
    await shot('6-sign-zh');
    await page.getByRole('button', { name: 'English' }).click();
    await page.goto(`${server.url}/#today`);
    await page.getByTestId('today-summary').waitFor();
    await shot('7-today');
    await page.getByRole('button', { name: 'Void #3' }).click();
    await shot('8-today-void');
    await page.goto(`${server.url}/#device`);
    await page.getByTestId('storage-estimate').waitFor();
    await shot('9-device');
    await page.goto(`${server.url}/#shift`);
    await page.reload();
    await page.getByRole('button', { name: 'Start collecting' }).waitFor();
    await shot('10-shift');
  }
  // The very first screen, on a tablet not yet enrolled.
  const fresh = await launchTablet(`${t.profile}-fresh`);
  const first = fresh.pages()[0] ?? (await fresh.newPage());
  for (const vp of VIEWPORTS) {
    await first.setViewportSize(vp);
    await first.goto(server.url);
    await first.getByLabel('Enrollment code').waitFor();
    await first.screenshot({ path: `${OUT}/0-enroll-${vp.name}.png` });
  }
  await fresh.close();
  console.log(`Screenshots in ${OUT}`);
} finally {
  await t.close();
}
