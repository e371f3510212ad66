// Parses and renders mermaid diagrams with the real mermaid library (tests/node_modules/mermaid, locked in
// tests/package-lock.json) in Debian's headless Chromium (puppeteer-core), as a reader's browser would.
// For each FILE: mermaid.parse() must accept it and mermaid.render() must draw it; prints one JSON object
// {FILE: {ok, error, nodes: [label text of each node], edgeLabels: [...], title, paths, dashed}} on stdout.
//
//   node tests/cli/mermaid_render.mjs FILE...
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));
const puppeteer = require('puppeteer-core');
const mermaidJs = require.resolve('mermaid/dist/mermaid.min.js');

const files = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await puppeteer.launch({ executablePath: chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const results = {};
try {
  const tab = await browser.newPage();
  const consoleErrors = [];
  tab.on('pageerror', (e) => consoleErrors.push(String(e)));
  await tab.setContent('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mermaid</title></head><body></body></html>');
  await tab.addScriptTag({ content: readFileSync(mermaidJs, 'utf8') });
  await tab.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  let n = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    results[f] = await tab.evaluate(async (text, id) => {
      const out = { ok: false, error: null, nodes: [], edgeLabels: [], title: null, paths: 0, dashed: 0 };
      try {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(id, text);
        // mermaid's labels are HTML inside foreignObject (with <br>, not XML): read the SVG as the page would
        const doc = document.createElement('div');
        doc.innerHTML = svg;
        if (!doc.querySelector('svg')) throw new Error('render gave no SVG');
        out.nodes = [...doc.querySelectorAll('g.node')].map((g) => g.textContent);
        out.edgeLabels = [...doc.querySelectorAll('g.edgeLabel')].map((g) => g.textContent).filter((t) => t);
        const t = doc.querySelector('.flowchartTitleText');
        out.title = t ? t.textContent : null;
        const edges = [...doc.querySelectorAll('path.flowchart-link')];
        out.paths = edges.length;
        out.dashed = edges.filter((p) => /dotted|dashed/.test(p.getAttribute('class') || '')).length;
        out.redEdges = edges.filter((p) => /a4001d/i.test(p.getAttribute('style') || '')).length;
        out.ok = true;
      } catch (e) {
        out.error = String(e && e.message ? e.message : e);
      }
      return out;
    }, text, `d${n++}`);
  }
  if (consoleErrors.length) results.__pageErrors = consoleErrors;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
