// Builds the two custom ECharts bundles served from dispatch/static/vendor/echarts/ (see the README there).
//
//   cd tools/vendor && npm ci && node build-echarts.mjs           write the bundles
//   cd tools/vendor && npm ci && node build-echarts.mjs --check   rebuild in memory, compare with the committed files
//
// Both use ECharts' tree-shakable API (echarts/core + echarts.use) from the npm package pinned in package.json
// (package-lock.json fixes every version): esbuild bundles the modules into one script that sets window.echarts,
// terser minifies it (two compress passes: ~4 % fewer gzipped bytes than esbuild's own minifier).
// A bundle holds only the charts and components the pages draw with; a page using another series or
// component type must add it here and rebuild. Without it nothing fails: these production builds drop
// ECharts' "… is used but not imported" warnings, so the series or component is simply not drawn — look
// at the page (the browser tests' screenshots) after adding a chart.
//
//   echarts-map.min.js     the zone maps of /m/ and the desk (zonemap.js): the geo component, scatter points,
//                          the canvas renderer. /m/ downloads it on a phone's mobile data, so two modules the
//                          maps never run are replaced by stubs: scatter's installer also registers the
//                          cartesian grid "in case the developer forgets" (echarts/lib/chart/scatter/install.js
//                          imports component/grid/installSimple.js: a no-op here, -27 KB gzipped), and the geo
//                          component can draw SVG maps besides GeoJSON (coord/geo/GeoSVGResource.js with
//                          zrender's SVG parser: a class that refuses, -4 KB). The zones are always GeoJSON
//                          (zonemap.js registerMap(MAP, featureCollection)).
//   echarts-charts.min.js  the cockpit: its map (geo, scatter, effectScatter) and its charts (bar, line on a
//                          grid, tooltip with the axis pointer, legend, graphic for "暂无数据").
//
// window.echarts offers init, getInstanceByDom, registerMap, getMap, dispose, use and version — what the
// pages and tests call (grep "echarts\." in dispatch/static/js and tests/).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { minify } from 'terser';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '..', '..', 'dispatch', 'static', 'vendor', 'echarts');
const VERSION = JSON.parse(readFileSync(join(HERE, 'node_modules', 'echarts', 'package.json'), 'utf8')).version;
const EXPORTS = 'init, getInstanceByDom, registerMap, getMap, dispose, use, version';

const BUNDLES = {
  'echarts-map.min.js': {
    charts: ['ScatterChart'],
    components: ['GeoComponent'],
    stubs: true,
  },
  'echarts-charts.min.js': {
    charts: ['ScatterChart', 'EffectScatterChart', 'BarChart', 'LineChart'],
    components: ['GeoComponent', 'GridComponent', 'TooltipComponent', 'LegendComponent', 'GraphicComponent'],
    stubs: false,
  },
};

/** The modules a map-only bundle replaces (see above): the import as written in ECharts -> the stub's source. */
const STUBS = [
  [/\/component\/grid\/installSimple\.js$/, 'export function install() {}'],
  [/^\.\/GeoSVGResource\.js$/,
    'export class GeoSVGResource { constructor() { throw new Error("SVG maps are not in this ECharts build"); } }'],
];

const mapOnly = {
  name: 'map-only',
  setup(build) {
    STUBS.forEach(([pattern, contents], i) => {
      build.onResolve({ filter: pattern }, (args) => (args.importer.includes('/node_modules/echarts/lib/')
        ? { path: String(i), namespace: 'stub' } : undefined));
    });
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: STUBS[Number(args.path)][1], loader: 'js' }));
  },
};

function entry({ charts, components }) {
  return [
    `import { ${EXPORTS} } from 'echarts/core';`,
    `import { ${charts.join(', ')} } from 'echarts/charts';`,
    `import { ${components.join(', ')} } from 'echarts/components';`,
    "import { CanvasRenderer } from 'echarts/renderers';",
    `use([${[...charts, ...components, 'CanvasRenderer'].join(', ')}]);`,
    `export { ${EXPORTS} };`,
  ].join('\n');
}

async function bundle(name, spec) {
  const result = await esbuild.build({
    stdin: { contents: entry(spec), resolveDir: HERE, sourcefile: name.replace('.min.js', '.entry.js') },
    bundle: true,
    format: 'iife',
    globalName: 'echarts',
    target: 'es2017',
    charset: 'utf8',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: spec.stubs ? [mapOnly] : [],
    write: false,
  });
  const { code } = await minify(result.outputFiles[0].text, { ecma: 2017, compress: { passes: 2 }, mangle: true,
    format: { comments: false } });
  const banner = `/*! Apache ECharts ${VERSION} (Apache-2.0, see LICENSE and NOTICE beside this file): a custom build `
    + `of ${[...spec.charts, ...spec.components].join(', ')}, CanvasRenderer; made by tools/vendor/build-echarts.mjs */\n`;
  return banner + code + '\n';
}

const check = process.argv.includes('--check');
let differs = 0;
for (const [name, spec] of Object.entries(BUNDLES)) {
  const text = await bundle(name, spec);
  const path = join(OUT, name);
  if (check) {
    let old = null;
    try { old = readFileSync(path, 'utf8'); } catch { /* missing */ }
    if (old !== text) { console.error(`differs: dispatch/static/vendor/echarts/${name}`); differs += 1; }
  } else {
    writeFileSync(path, text);
    console.log(`wrote dispatch/static/vendor/echarts/${name} (${text.length} bytes)`);
  }
}
if (check) {
  if (differs) process.exit(1);
  console.log(`echarts ${VERSION}: the custom builds match`);
}
