// Opens HTML pages in Debian's headless Chromium (puppeteer-core) at a phone's width (390 CSS px) and runs axe-core
// (tests/node_modules, locked) on them: WCAG 2 A/AA rules. Also reports whether the page itself scrolls sideways
// (a wide table may scroll inside its own region; the page must not), and every request the page made besides
// its own file (it must make none). Prints {FILE: {violations: [{id, nodes}], pageOverflow, requests}} as JSON.
//
//   node tests/cli/html_axe.mjs FILE...
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));
const puppeteer = require('puppeteer-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const files = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const results = {};
try {
  const tab = await browser.newPage();
  await tab.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  for (const f of files) {
    const url = pathToFileURL(path.resolve(f)).href;
    const requests = [];
    const onRequest = (r) => { if (r.url() !== url) requests.push(r.url()); };
    tab.on('request', onRequest);
    await tab.goto(url, { waitUntil: 'load' });
    tab.off('request', onRequest);
    await tab.evaluate(axeSource);
    const r = await tab.evaluate(async () => {
      const res = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } });
      return {
        violations: res.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })),
        pageOverflow: document.documentElement.scrollWidth > window.innerWidth + 1,
      };
    });
    r.requests = requests;
    results[f] = r;
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
