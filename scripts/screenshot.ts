// Screenshot a page for a look: npx node scripts/screenshot.ts URL OUT.png [WIDTH]
import { launch } from '../tests/e2e/browser.ts';

const [url, out, width] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: Number(width ?? 1280), height: 900 } });
await page.goto(url!);
await page.waitForTimeout(300);
await page.screenshot({ path: out!, fullPage: false });
await browser.close();
