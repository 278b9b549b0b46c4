// Builds the explorer page into ../assets/explore/, where ctgraph embeds it:
//   index.html        the page, copied as is
//   explore.js.gz     src/main.ts and its dependencies, bundled and minified by esbuild
//   explore.css.gz    src/style.css, minified
//   LICENSE-*         the licences of the bundled packages, copied from node_modules
// The .gz files are gzip level 9 with no name and no timestamp, and the OS byte fixed, so the
// same sources and lock file give the same bytes on any machine.
//   cd ui && npm ci && npm run build

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'assets', 'explore');
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  write: false,
  charset: 'utf8',
  legalComments: 'eof',
  target: ['chrome109', 'firefox115', 'safari16'],
  logLevel: 'warning',
};

const js = await build({
  ...common,
  entryPoints: [join(here, 'src', 'main.ts')],
  format: 'iife',
  define: { 'process.env.NODE_ENV': '"production"' },
});
const css = await build({ ...common, entryPoints: [join(here, 'src', 'style.css')] });

/** gzip -9n: no file name, mtime 0 (zlib's default), OS byte 3 (Unix) wherever it runs. */
function gzip(bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  gz[9] = 3;
  return gz;
}

function write(name, bytes) {
  writeFileSync(join(out, name), bytes);
  const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  console.log(`${name.padEnd(20)} ${String(bytes.length).padStart(8)} bytes  sha256 ${sha}…`);
}

const jsText = js.outputFiles[0].contents;
const cssText = css.outputFiles[0].contents;
write('explore.js.gz', gzip(jsText));
write('explore.css.gz', gzip(cssText));
write('index.html', readFileSync(join(here, 'index.html')));
console.log(`(explore.js ${jsText.length} bytes, explore.css ${cssText.length} bytes before gzip)`);

// The bundle's third-party code: Cytoscape.js, and fCoSE with the two libraries it is built on.
const pkg = (name) => JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8'));
const licence = (name) => readFileSync(join(here, 'node_modules', name, 'LICENSE'), 'utf8').trim();
copyFileSync(join(here, 'node_modules', 'cytoscape', 'LICENSE'), join(out, 'LICENSE-cytoscape'));
writeFileSync(
  join(out, 'LICENSE-fcose'),
  ['cytoscape-fcose', 'cose-base', 'layout-base']
    .map((name) => `${name} ${pkg(name).version} (${pkg(name).license})\n\n${licence(name)}\n`)
    .join('\n----------------------------------------------------------------------\n\n'),
);
console.log(`licences: cytoscape ${pkg('cytoscape').version}, cytoscape-fcose ${pkg('cytoscape-fcose').version}, cose-base ${pkg('cose-base').version}, layout-base ${pkg('layout-base').version}`);
