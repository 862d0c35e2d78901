import { drawAutograph, fillSigner } from './support/browser';
import { enrolledTablet } from './support/volunteer';
const t = await enrolledTablet('Sam Rivera');
const { page } = t;
try {
  for (const vp of [
    { width: 1024, height: 768 },
    { width: 768, height: 1024 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(vp);
    await page.goto(t.server.url + '/');
    await page.locator('#petition-title').waitFor();
    await fillSigner(page, {
      givenName: 'Ana',
      familyName: 'Lee',
      street: '7 Birch Lane',
      city: 'Columbus',
      state: 'OH',
      zip: '43215',
      email: 'ana@example.org',
    });
    await drawAutograph(page, 1);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await page.screenshot({ path: `/tmp/fp/sign-${vp.width}x${vp.height}.png` });
    const save = await page.getByRole('button', { name: 'Save signature' }).boundingBox();
    const header = await page.locator('header.status').boundingBox();
    console.log(vp, 'save', save, 'header', header, 'scrollH', await page.evaluate(() => document.documentElement.scrollHeight));
    await page.getByRole('button', { name: 'Save signature' }).click();
    await page.locator('#next-signer').waitFor();
    await page.screenshot({ path: `/tmp/fp/saved-${vp.width}x${vp.height}.png` });
    console.log('next', await page.locator('#next-signer').boundingBox());
    await page.locator('#next-signer').click();
  }
} finally {
  await t.close();
}
