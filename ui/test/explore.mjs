// The explorer page in headless Chromium, as a researcher would use it, on ctgraph's seed data:
//   node test/explore.mjs BASE_URL OUTDIR             the walk-through below, screenshots in OUTDIR
//   node test/explore.mjs BASE_URL OUTDIR --measure   on a large graph: time a 500-node drawing
// BASE_URL serves /explore and /graphql (ctgraph, or dev-server.mjs in front of one). Chromium
// is $CHROMIUM or /usr/bin/chromium, driven by playwright-core. Prints one line per step and
// exits 1 with the reason if a step fails, if the page asked any host but BASE_URL's for
// anything, or if it logged a console error (other than the network errors of the step that
// makes the server stop answering on purpose).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const measure = args.includes('--measure');
const [base, outDir] = args.filter((a) => !a.startsWith('--'));
if (!base || !outDir) {
  console.error('usage: node test/explore.mjs BASE_URL OUTDIR [--measure]');
  process.exit(2);
}
const origin = new URL(base).origin;
mkdirSync(outDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
const page = await context.newPage();

// ---- what the page must never do -----------------------------------------------------------

const foreign = [];
const consoleErrors = [];
let networkErrorsExpected = false;
page.on('request', (r) => {
  const url = new URL(r.url());
  if (url.protocol === 'data:' || url.protocol === 'blob:') return;
  if (url.origin !== origin) foreign.push(r.url());
});
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  if (networkErrorsExpected && /Failed to load resource|ERR_CONNECTION_REFUSED|ERR_FAILED/.test(m.text())) return;
  consoleErrors.push(m.text());
});
page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

// ---- helpers -------------------------------------------------------------------------------

let passed = 0;
let shot = 0;

async function step(name, body) {
  try {
    const note = await body();
    passed++;
    console.log(`ok   ${name}${note ? `: ${note}` : ''}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    console.log(`     at ${page.url()}\n     the page says: ${(await messages().catch(() => '')).replace(/\n/g, ' | ')}`);
    await page.screenshot({ path: join(outDir, 'failure.png') }).catch(() => {});
    console.log(`     the page at the failure: ${join(outDir, 'failure.png')}`);
    await finish(1);
  }
}

async function screenshot(name) {
  shot++;
  const path = join(outDir, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path });
  return path;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Waits until the page has drawn what its URL asks for. */
async function settled() {
  await page.waitForFunction(() => document.body.dataset.busy === 'false', null, { timeout: 30_000 });
}

async function messages() {
  return (await page.locator('#messages').innerText()).trim();
}

/** Facts about the drawing, read through the debugging handle the page leaves on `window`. */
async function drawing() {
  return page.evaluate(() => {
    const cy = window.ctgraphExplore.cy;
    const shown = cy.nodes().filter((n) => n.visible());
    return {
      nodes: shown.length,
      edges: cy.edges().filter((e) => e.visible()).length,
      labels: shown.map((n) => n.data('label')),
      onPath: cy.nodes('.onpath').map((n) => n.data('label')),
    };
  });
}

/** The page coordinates of the drawn node whose label starts with `label`. */
async function nodeAt(label) {
  const box = await page.locator('#graph').boundingBox();
  const p = await page.evaluate((label) => {
    const nodes = window.ctgraphExplore.cy.nodes(':visible');
    const n = nodes.filter((n) => n.data('label') === label)[0] ?? nodes.filter((n) => String(n.data('label')).startsWith(label))[0];
    return n ? { ...n.renderedPosition(), id: n.id() } : null;
  }, label);
  check(p, `no node labelled “${label}…” is drawn`);
  return { x: box.x + p.x, y: box.y + p.y, id: p.id };
}

async function search(text) {
  await page.fill('#search-input', text);
  await page.press('#search-input', 'Enter');
  await page.waitForSelector('#search-results:not([hidden]) :is(.hit, .notice, .error)', { timeout: 15_000 });
}

async function download(button) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click(button)]);
  const path = join(outDir, `export-${file.suggestedFilename()}`);
  await file.saveAs(path);
  return path;
}

async function finish(code) {
  let status = code;
  if (foreign.length > 0) {
    console.log(`FAIL the page requested other hosts than ${origin}: ${[...new Set(foreign)].join(', ')}`);
    status = 1;
  }
  if (consoleErrors.length > 0) {
    console.log(`FAIL the page logged console errors:\n  ${consoleErrors.join('\n  ')}`);
    status = 1;
  }
  if (status === 0) console.log(`explore: ${passed} passed, 0 failed; screenshots in ${outDir}`);
  await browser.close();
  process.exit(status);
}

// ---- the 500-node measurement --------------------------------------------------------------

if (measure) {
  const post = async (query) => {
    const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await res.json()).data;
  };
  let centre = null;
  await step('find a node with 500 nodes within 2 links', async () => {
    const { organizations } = await post('{ organizations(first: 10) { nodes { id name } } }');
    for (const org of organizations.nodes) {
      const { neighborhood } = await post(`{ neighborhood(id: ${JSON.stringify(org.id)}, depth: 2, first: 500) { nodes { id } } }`);
      if (neighborhood.nodes.length === 500) {
        centre = org;
        return `${org.name} (${org.id})`;
      }
    }
    throw new Error('no organization among the first 10 has 500 nodes within 2 links: is this the generated graph?');
  });
  const runs = [];
  for (let i = 1; i <= 5; i++) {
    await step(`draw the 500-node neighbourhood, run ${i}`, async () => {
      await page.goto(`${origin}/explore?id=${encodeURIComponent(centre.id)}&depth=2&first=500`);
      await settled();
      const d = await drawing();
      check(d.nodes === 500, `drew ${d.nodes} nodes, not 500`);
      const t = await page.evaluate(() => ({ layout: Number(document.body.dataset.drawMs), paint: Number(document.body.dataset.paintMs) }));
      runs.push(t);
      return `${d.nodes} nodes, ${d.edges} edges: laid out ${t.layout} ms after the response, first painted at ${t.paint} ms`;
    });
  }
  await screenshot('500-nodes');
  await step('a node of the generated graph shows its source as SYNTHETIC', async () => {
    const { search } = await post('{ search(query: "synthetic", types: [MILITANT], first: 1) { nodes { id } } }');
    check(search.nodes.length === 1, 'no militant of the generated graph is named "Synthetic…"');
    const id = encodeURIComponent(search.nodes[0].id);
    await page.goto(`${origin}/explore?id=${id}&sel=${id}`);
    await settled();
    await page.locator('#details .citation').first().waitFor({ timeout: 15_000 });
    const banner = page.locator('#details .synthetic-banner');
    check((await banner.count()) > 0, 'no SYNTHETIC banner in the details panel');
    await screenshot('synthetic');
    return await banner.first().innerText();
  });
  await step('a path between two hubs of the generated graph: drawn, or refused in words', async () => {
    const find = async (name) => (await post(`{ search(query: "${name}", types: [COUNTRY], first: 1) { nodes { id } } }`)).search.nodes[0]?.id;
    const [from, to] = [await find('pakistan'), await find('afghanistan')];
    check(from && to, 'the generated graph has no Pakistan or no Afghanistan');
    await page.goto(`${origin}/explore?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    await settled();
    const text = await messages();
    check(/too large a walk|^Path, /m.test(text), `the page says: ${text || 'nothing'}`);
    await screenshot('hub-path');
    return text.split('\n').find((l) => /too large|^Path/.test(l)).replace(/Clear path$/, '');
  });
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`measure: 500-node neighbourhood, median of ${runs.length}: laid out in ${median(runs.map((r) => r.layout))} ms, painted in ${median(runs.map((r) => r.paint))} ms (from the response)`);
  await finish(0);
}

// ---- the walk-through on the seed data -----------------------------------------------------

let husnain = null;
let org = null;

await step('open /explore', async () => {
  await page.goto(`${origin}/explore`);
  await settled();
  check(await page.locator('#placeholder').isVisible(), 'the empty page shows no prompt');
  await screenshot('empty');
});

await step('search "husnain" lists the captain under his type', async () => {
  await search('husnain');
  const hit = page.locator('.hit', { hasText: 'Husnain Akhtar' });
  check((await hit.count()) === 1, 'no hit names Husnain Akhtar');
  husnain = await hit.getAttribute('data-id');
  const groups = await page.locator('.hit-group h3').allTextContents();
  check(groups.includes('Security personnel'), `hits are grouped as ${groups.join(', ')}`);
  await screenshot('search');
  return `hits under ${groups.join(', ')}`;
});

await step('choosing him draws his neighbourhood', async () => {
  await page.locator('.hit', { hasText: 'Husnain Akhtar' }).locator('.hit-draw').click();
  await settled();
  const d = await drawing();
  check(d.nodes >= 3, `only ${d.nodes} nodes drawn`);
  check(d.labels.some((l) => l.startsWith('Pakistani security forces')), 'his organization is not drawn');
  check(new URL(page.url()).searchParams.get('id') === husnain, `the URL does not name him: ${page.url()}`);
  return `${d.nodes} nodes, ${d.edges} edges; URL ${new URL(page.url()).search}`;
});

await step('the details panel quotes the article', async () => {
  const quote = page.locator('#details blockquote.quote');
  await quote.first().waitFor({ timeout: 15_000 });
  const text = await quote.first().innerText();
  check(text.includes('Captain Husnain Akhtar from Jhelum was martyred'), `the quote reads “${text}”`);
  const source = await page.locator('#details .citation figcaption').first().innerText();
  check(/news/i.test(source), `the source is not marked as news: ${source}`);
  await screenshot('neighbourhood');
  return `“…${text.slice(-60)}” (${source.slice(0, 50)}…)`;
});

await step('clicking the organization selects it, double-clicking expands it', async () => {
  const before = await drawing();
  const at = await nodeAt('Pakistani security forces');
  org = at.id;
  await page.mouse.click(at.x, at.y);
  await page.locator('#details h2', { hasText: 'Pakistani security forces' }).waitFor({ timeout: 20_000 });
  const again = await nodeAt('Pakistani security forces');
  await page.mouse.dblclick(again.x, again.y);
  await page.waitForFunction((id) => new URL(location.href).searchParams.get('x') === id, org, { timeout: 20_000 });
  await settled();
  const after = await drawing();
  check(after.nodes > before.nodes, `expanding added nothing (${before.nodes} → ${after.nodes} nodes)`);
  check(before.labels.every((l) => after.labels.includes(l)), 'expanding dropped nodes that were drawn (redrawn, not merged)');
  await screenshot('expanded');
  return `${before.nodes} → ${after.nodes} nodes, merged`;
});

await step('switching a type off hides it, and back shows it again', async () => {
  await page.locator('#legend input[data-type="DISTRICT"]').uncheck();
  const off = await drawing();
  check(!off.labels.includes('Jhelum'), 'Jhelum (a district) still shows');
  check(new URL(page.url()).searchParams.get('off') === 'DISTRICT', 'the URL does not record it');
  await page.goBack();
  await settled();
  const on = await drawing();
  check(on.labels.includes('Jhelum'), 'back does not bring Jhelum back');
  check(await page.locator('#legend input[data-type="DISTRICT"]').isChecked(), 'back does not tick districts again');
  return `${on.nodes - off.nodes} districts hidden and shown`;
});

await step('the path from the captain to Afghanistan is drawn', async () => {
  const at = await nodeAt('Captain Husnain Akhtar');
  await page.mouse.click(at.x, at.y);
  await page.locator('#details h2', { hasText: 'Husnain Akhtar' }).waitFor({ timeout: 20_000 });
  await search('afghanistan');
  const hit = page.locator('.hit-group', { hasText: 'Country' }).locator('.hit', { hasText: 'Afghanistan' });
  check((await hit.count()) === 1, 'no Country hit for Afghanistan');
  await hit.locator('.hit-connect').click();
  await page.waitForFunction(() => new URL(location.href).searchParams.has('to'), null, { timeout: 20_000 });
  await settled();
  const text = await messages();
  check(/Path, \d+ links?: .*Afghanistan/.test(text), `no path message: ${text}`);
  const d = await drawing();
  check(d.onPath.includes('Afghanistan') && d.onPath.includes('Captain Husnain Akhtar'), `the path drawn holds ${d.onPath.join(', ')}`);
  await screenshot('path');
  return text.split('\n').find((l) => l.startsWith('Path')).replace(/Clear path$/, '');
});

await step('a link of the path shows its kind and the citations of its ends', async () => {
  // Click along the link until it, not a link crossing it, is what gets selected. Where the
  // link is is read before each click: selecting something else opens the details panel,
  // which may move the drawing (stale places missed it on a loaded machine).
  let hit = false;
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7]) {
    const box = await page.locator('#graph').boundingBox();
    const ends = await page.evaluate(() => {
      const e = window.ctgraphExplore.cy.edges('.onpath[kind = "MEMBER_OF"]')[0];
      return { id: e.id(), a: e.source().renderedPosition(), b: e.target().renderedPosition() };
    });
    await page.mouse.click(box.x + ends.a.x + t * (ends.b.x - ends.a.x), box.y + ends.a.y + t * (ends.b.y - ends.a.y));
    hit = await page.evaluate((id) => window.ctgraphExplore.cy.getElementById(id).selected(), ends.id);
    if (hit) break;
    await page.waitForTimeout(450); // not a double click
  }
  check(hit, 'clicking along the link never selected it');
  await page.locator('#details h2', { hasText: 'Member of' }).waitFor({ timeout: 20_000 });
  await page.locator('#details .citations').first().waitFor({ timeout: 20_000 });
  const cited = await page.locator('#details .citations h3').allTextContents();
  check(cited.some((c) => c.includes('Husnain Akhtar')), `the link cites ${cited.join('; ')}`);
  await screenshot('path-link');
  return `Member of: ${cited.join('; ')}`;
});

await step('the back button steps back to before the path', async () => {
  await page.goBack();
  await settled();
  const url = new URL(page.url());
  check(!url.searchParams.has('to'), `the URL still asks for the path: ${url.search}`);
  check(url.searchParams.get('x') === org, `the expansion is gone too: ${url.search}`);
  const d = await drawing();
  check(d.onPath.length === 0, 'the path is still highlighted');
  await page.goForward();
  await settled();
  check((await drawing()).onPath.length > 0, 'forward does not bring the path back');
  return url.search;
});

await step('as of a date, the drawing is redrawn and the URL records it', async () => {
  await page.fill('#asof', '2025-03-10');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('asOf') === '2025-03-10', null, { timeout: 20_000 });
  await settled();
  const text = await messages();
  check(text.includes('as of 2025-03-10'), `the page does not say which day: ${text}`);
  return text.split('\n')[0];
});

await step('the timeline lists the operations in view by date', async () => {
  const rows = await page.locator('#timeline li').allInnerTexts();
  check(rows.some((r) => r.includes('2025-03-01') && r.includes('Mission in Dera Ismail Khan')), `timeline: ${rows.join(' | ')}`);
  return rows.map((r) => r.replace(/\s+/g, ' ')).join(' | ');
});

await step('a pinned node stays put through a re-layout', async () => {
  await page.locator('#timeline button', { hasText: 'Mission in Dera Ismail Khan' }).click();
  await page.locator('#details h2', { hasText: 'Mission in Dera Ismail Khan' }).waitFor({ timeout: 20_000 });
  await page.locator('#details button', { hasText: 'Pin' }).click();
  const where = () => page.evaluate(() => window.ctgraphExplore.cy.nodes('.pinned').map((n) => ({ ...n.position() })));
  const before = await where();
  check(before.length === 1, `${before.length} nodes are pinned`);
  await page.click('#relayout');
  const after = await where();
  check(Math.hypot(after[0].x - before[0].x, after[0].y - before[0].y) < 1, `it moved from ${JSON.stringify(before[0])} to ${JSON.stringify(after[0])}`);
  await page.locator('#details button', { hasText: 'Unpin' }).click();
  return `stayed at (${Math.round(after[0].x)}, ${Math.round(after[0].y)})`;
});

await step('hiding a node takes it out, and back brings it back', async () => {
  const at = await nodeAt('Jhelum');
  await page.mouse.click(at.x, at.y);
  await page.locator('#details h2', { hasText: 'Jhelum' }).waitFor({ timeout: 20_000 });
  await page.locator('#details button', { hasText: 'Hide' }).click();
  await page.waitForFunction((id) => new URL(location.href).searchParams.get('hide') === id, at.id, { timeout: 20_000 });
  await settled();
  check(!(await drawing()).labels.includes('Jhelum'), 'Jhelum still shows');
  check((await page.locator('#hidden').textContent()).includes('Jhelum'), 'the hidden list does not name it');
  check((await page.locator('#hidden-summary').innerText()).includes('(1)'), 'the hidden list does not count it');
  await page.goBack();
  await settled();
  check((await drawing()).labels.includes('Jhelum'), 'back does not bring Jhelum back');
  return 'hidden, listed, restored';
});

await step('two nodes shift-clicked: "How are these connected?" draws the path', async () => {
  await page.evaluate(() => window.ctgraphExplore.cy.elements(':selected').unselect());
  const a = await nodeAt('Jhelum');
  await page.mouse.click(a.x, a.y);
  await page.locator('#details h2', { hasText: 'Jhelum' }).waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500); // a person's pause: two quick clicks are a double click
  // Where the second node is only now: the details panel that the first click opened may
  // have moved the drawing (a position read before it missed the node on a loaded machine).
  const b = await nodeAt('Pakistan');
  await page.keyboard.down('Shift');
  await page.mouse.click(b.x, b.y);
  await page.keyboard.up('Shift');
  await page.waitForSelector('#connect:not([disabled])', { timeout: 20_000 });
  await page.click('#connect');
  await page.waitForFunction((to) => new URL(location.href).searchParams.get('to') === to, b.id, { timeout: 20_000 });
  await settled();
  const line = (await messages()).split('\n').find((l) => l.startsWith('Path'))?.replace(/Clear path$/, '');
  check(line && line.includes('Jhelum') && line.includes('Pakistan'), `no path message: ${await messages()}`);
  await screenshot('connected');
  return line;
});

await step('exports: PNG, Cytoscape JSON and the query, which the server answers', async () => {
  const png = await download('#export-png');
  check(readFileSync(png).subarray(1, 4).toString() === 'PNG', `${png} is not a PNG`);
  const cyjsPath = await download('#export-json');
  const cyjs = JSON.parse(readFileSync(cyjsPath, 'utf8'));
  const d = await drawing();
  check(cyjs.elements.nodes.length === d.nodes, `the JSON holds ${cyjs.elements.nodes.length} nodes, the drawing ${d.nodes}`);
  check(cyjs.elements.edges.every((e) => e.data.source && e.data.target), 'an edge of the JSON lacks its ends');
  const queryPath = await download('#export-query');
  const query = readFileSync(queryPath, 'utf8');
  const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = await res.json();
  check(!body.errors, `the exported query fails: ${JSON.stringify(body.errors)}`);
  const ids = new Set(Object.values(body.data).flatMap((f) => (f ? f.nodes.map((n) => n.id) : [])));
  const missing = cyjs.elements.nodes.filter((n) => !ids.has(n.data.id));
  check(missing.length === 0, `the query does not return ${missing.length} drawn nodes`);
  writeFileSync(join(outDir, 'export-answer.json'), JSON.stringify(body, null, 2));
  return `${png}, ${cyjsPath} (${cyjs.elements.nodes.length} nodes, ${cyjs.elements.edges.length} edges), ${queryPath} (answered with all ${ids.size} nodes)`;
});

await step('a search that finds nothing says so', async () => {
  await search('xyzzyqq');
  const text = await page.locator('#search-results').innerText();
  check(text.includes('Nothing matches “xyzzyqq”'), `the page says: ${text}`);
  await screenshot('no-hits');
  await search('');
  const empty = await page.locator('#search-results').innerText();
  check(/Type a name/.test(empty), `an empty search says: ${empty}`);
  await page.press('#search-input', 'Escape');
  return `${text.split('.')[0]}. / ${empty}`;
});

await step('an id in the URL that names nothing says so, beside an empty drawing', async () => {
  await page.goto(`${origin}/explore?id=UGVyc29ubmVsOjk5OTk5OQ`);
  await settled();
  const text = await messages();
  check(text.includes('Nothing in the graph has that id'), `the page says: ${text}`);
  check(await page.locator('#placeholder').isVisible(), 'the drawing area is blank, with no prompt');
  await screenshot('unknown-id');
  await page.goto(`${origin}/explore?id=not-an-id`);
  await settled();
  const malformed = await messages();
  check(/malformed id/.test(malformed), `a malformed id says: ${malformed}`);
  return text.split('(')[0].trim();
});

await step('a server that stops answering is a message with a retry, and retry draws', async () => {
  networkErrorsExpected = true;
  await page.route('**/graphql', (route) => route.abort('connectionrefused'));
  await page.goto(`${origin}/explore?id=${encodeURIComponent(husnain)}`);
  await settled();
  const text = await messages();
  check(text.includes('ctgraph is not answering'), `the page says: ${text}`);
  await screenshot('server-down');
  await page.unroute('**/graphql');
  networkErrorsExpected = false;
  await page.locator('#messages button', { hasText: 'Retry' }).click();
  await page.waitForFunction(() => window.ctgraphExplore.cy.nodes().length > 0, null, { timeout: 15_000 });
  await settled();
  return text.split('\n')[0].replace(/Retry$/, '');
});

await step('a walk refused as too complex is a message (the server\'s answer simulated)', async () => {
  await page.route('**/graphql', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/graphql-response+json',
      body: JSON.stringify({
        errors: [{ message: 'the walk would read more than 100000 links', path: ['neighborhood'], extensions: { code: 'QUERY_TOO_COMPLEX' } }],
        data: null,
      }),
    }),
  );
  await page.goto(`${origin}/explore?id=${encodeURIComponent(husnain)}&depth=3`);
  await settled();
  const text = await messages();
  await page.unroute('**/graphql');
  check(text.includes('too large a walk'), `the page says: ${text}`);
  await screenshot('too-complex');
  return text.split('\n')[0];
});

await finish(0);
