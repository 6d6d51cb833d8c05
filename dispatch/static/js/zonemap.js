/* 宜川路街道网格化管理 — the street's zone map, drawn the same way on every page: YC.zoneMap.
 * Loaded after ECharts (static/vendor/echarts) and the shared scripts by /m/, the desk's ticket page and
 * the cockpit.
 *
 * YC.zoneMap.load() fetches GET /api/v1/zones once per page, keeps the zones (片区; nested grid cells,
 *   `properties.parent`, are drawn by no page) and registers them with ECharts as the map
 *   YC.zoneMap.MAP; it resolves to that FeatureCollection.
 * YC.zoneMap.geo(theme, extra) is the ECharts `geo` component to draw them with:
 *   - aspectScale: a degree of longitude is shorter than one of latitude, by cos(latitude) (≈ 0.854 at
 *     the street's 31.26° N); ECharts' default (0.75) would squash the zones east–west. Taken from the
 *     middle latitude of the zones' bounding box once they are loaded, so every page shows the same shape.
 *   - preserveAspect 'contain': a page that gives all four of top/bottom/left/right gets the map fitted
 *     inside that box, not stretched to fill it (ECharts stretches by default).
 *   - theme 'light' (/m/, the desk) or 'dark' (the cockpit): zone names, fill, borders, hover.
 *   - extra: the page's own options (layout, regions, tooltip, font size …), merged over the above —
 *     one level deep, so { label: { fontSize: 11 } } keeps the theme's label colour.
 * YC.zoneMap.aspectScale() is that factor (for tests and the other charts).
 * YC.zoneMap.alertMarker() is the series type of the 超期/督办 markers: pulsing unless the screen asks for less
 *   motion (prefers-reduced-motion).
 *
 * 底图 (config/map.toml, off as shipped — then nothing below happens and no request leaves the server):
 * YC.zoneMap.basemap() is the page's `#yc-basemap` data (dispatch/street/basemap.py: tiles, layers, and for
 *   GCJ-02 tiles a grid of WGS-84 → GCJ-02 offsets computed by geo/crs.py — the formulas live there only).
 * With a base map, geo() draws in web Mercator (the tiles' projection) and fades the zones' fill so the
 *   map shows through; YC.zoneMap.attachBase(chart) puts the tiles (img.zm-tile, data-tile="z/x/y") and the
 *   GeoJSON layers (canvas.zm-layers, data-layers = how many have arrived and been drawn) under the chart's
 *   canvas and keeps them in place as the map pans and zooms.
 *   GCJ-02 tiles are drawn shifted back by the interpolated offset, so a WGS-84 point lands on its building.
 */
(function () {
  'use strict';

  const YC = window.YC = window.YC || {};
  const MAP = 'yichuan';
  const STREET_LATITUDE = 31.26; // until the zones are loaded

  const THEMES = {
    light: {
      label: { show: true, color: '#33475b', fontSize: 13 },
      itemStyle: { areaColor: '#eef4fb', borderColor: '#5b8bd0', borderWidth: 1.5 },
      emphasis: { label: { color: '#1d3b5e' }, itemStyle: { areaColor: '#dbe8f7' } },
    },
    dark: {
      label: { show: true, color: '#cfe3ff', fontSize: 20, fontWeight: 'bold' },
      itemStyle: { areaColor: '#10305a', borderColor: '#3fa7ff', borderWidth: 1.5, shadowColor: 'rgba(63,167,255,.45)', shadowBlur: 12 },
      emphasis: { label: { color: '#fff' }, itemStyle: { areaColor: '#1d5a9c' } },
    },
  };

  let latitude = STREET_LATITUDE;
  let loading = null;
  let baseConfig = null;

  /** The base map of config/map.toml as the server rendered it into the page ({tiles: null, layers: []}: off). */
  function basemap() {
    if (!baseConfig) {
      const node = document.getElementById('yc-basemap');
      try { baseConfig = node ? JSON.parse(node.textContent) : null; } catch (err) { baseConfig = null; }
      baseConfig = baseConfig || { tiles: null, layers: [] };
    }
    return baseConfig;
  }

  function hasBase() {
    const b = basemap();
    return Boolean(b.tiles) || b.layers.length > 0;
  }

  // --- web Mercator (the tiles' projection), in degrees so that ECharts' lng/lat helpers keep working ---
  const RAD = Math.PI / 180;
  const mercY = (lat) => Math.log(Math.tan(Math.PI / 4 + lat * RAD / 2)) / RAD;
  const unmercY = (y) => (2 * Math.atan(Math.exp(y * RAD)) - Math.PI / 2) / RAD;
  const MERCATOR = { project: (p) => [p[0], -mercY(p[1])], unproject: (p) => [p[0], unmercY(-p[1])] };

  /** The tile (x, y) holding [lng, lat] at zoom z, fractional. */
  function tileXY(p, z) {
    const n = 2 ** z;
    return [(p[0] + 180) / 360 * n, (1 - mercY(p[1]) * RAD / Math.PI) / 2 * n];
  }

  /** The [lng, lat] of tile corner (x, y) at zoom z. */
  function tileCorner(x, y, z) {
    const n = 2 ** z;
    return [x / n * 360 - 180, unmercY(Math.PI * (1 - 2 * y / n) / RAD)];
  }

  /** WGS-84 → GCJ-02 offset at p, interpolated in the server's grid (geo/crs.py's values); [0, 0] outside it. */
  function shiftAt(grid, p) {
    const [w, s, e, n] = grid.bounds;
    const k = grid.size - 1;
    const fx = Math.min(k, Math.max(0, (p[0] - w) / (e - w) * k));
    const fy = Math.min(k, Math.max(0, (p[1] - s) / (n - s) * k));
    const i = Math.min(k - 1, Math.floor(fx));
    const j = Math.min(k - 1, Math.floor(fy));
    const tx = fx - i;
    const ty = fy - j;
    const o = grid.offsets;
    return [0, 1].map((c) => (o[j][i][c] * (1 - tx) + o[j][i + 1][c] * tx) * (1 - ty)
      + (o[j + 1][i][c] * (1 - tx) + o[j + 1][i + 1][c] * tx) * ty);
  }

  /** A WGS-84 point in the tiles' coordinates, and back (GCJ-02 tiles: shifted; WGS-84/CGCS2000: as is). */
  function toTiles(p) {
    const grid = basemap().tiles && basemap().tiles.shift;
    if (!grid) return p;
    const d = shiftAt(grid, p);
    return [p[0] + d[0], p[1] + d[1]];
  }
  function fromTiles(p) {
    const grid = basemap().tiles && basemap().tiles.shift;
    if (!grid) return p;
    let w = p;
    for (let n = 0; n < 3; n += 1) { const d = shiftAt(grid, w); w = [p[0] - d[0], p[1] - d[1]]; }
    return w;
  }

  function tileUrl(tiles, z, x, y) {
    const subs = tiles.subdomains || [];
    return tiles.url.replace('{z}', z).replace('{x}', x).replace('{y}', y)
      .replace('{s}', subs.length ? subs[(x + y) % subs.length] : '');
  }

  /** Tiles and GeoJSON base layers under `chart`'s geo component, following its pans and zooms; null when off. */
  function attachBase(chart) {
    if (!hasBase()) return null;
    const dom = chart.getDom();
    if (window.getComputedStyle(dom).position === 'static') dom.style.position = 'relative';
    const base = YC.el('div', { className: 'zm-base', attrs: { 'aria-hidden': 'true' } });
    base.style.cssText = 'position:absolute;inset:0;overflow:hidden;pointer-events:none;';
    const canvas = YC.el('canvas', { className: 'zm-layers' });
    canvas.style.cssText = 'position:absolute;left:0;top:0;z-index:1;';
    base.appendChild(canvas);
    dom.insertBefore(base, dom.firstChild);
    const cfg = basemap();
    if (cfg.tiles && cfg.tiles.attribution) {
      const note = YC.el('div', { className: 'zm-attribution', text: cfg.tiles.attribution });
      note.style.cssText = 'position:absolute;right:4px;bottom:2px;z-index:2;font-size:11px;color:#445;background:rgba(255,255,255,.7);padding:0 4px;border-radius:3px;';
      base.appendChild(note);
    }
    const tiles = new Map();
    const layers = [];
    let pending = false;

    function draw() {
      pending = false;
      const w = dom.clientWidth;
      const h = dom.clientHeight;
      const toPx = (p) => chart.convertToPixel({ geoIndex: 0 }, p);
      // pixel → [lng, lat]: the map is linear in web Mercator, so two points drawn fix the inverse
      const ref = [121.43, latitude];
      let p1 = null;
      let p2 = null;
      try { // before the page's first setOption there is no geo to ask
        p1 = toPx(ref);
        p2 = toPx([ref[0] + 0.01, ref[1] + 0.01]);
      } catch (err) { return; }
      if (!p1 || !p2 || !w || !h) return;
      const sx = (p2[0] - p1[0]) / 0.01;
      const sy = (p2[1] - p1[1]) / (mercY(ref[1] + 0.01) - mercY(ref[1]));
      const fromPx = (x, y) => [ref[0] + (x - p1[0]) / sx, unmercY(mercY(ref[1]) + (y - p1[1]) / sy)];
      const a = fromPx(0, 0);
      const b = fromPx(w, h);
      if (cfg.tiles) drawTiles(cfg.tiles, a, b, toPx);
      drawLayers(w, h, toPx);
    }

    function drawTiles(t, a, b, toPx) {
      const p0 = toPx(a);
      const p1 = toPx([a[0] + 0.01, a[1]]);
      const worldPx = Math.abs(p1[0] - p0[0]) / 0.01 * 360;
      const z = Math.max(t.min_zoom, Math.min(t.max_zoom, Math.round(Math.log2(worldPx / 256))));
      const nw = tileXY(toTiles([Math.min(a[0], b[0]), Math.max(a[1], b[1])]), z).map(Math.floor);
      const se = tileXY(toTiles([Math.max(a[0], b[0]), Math.min(a[1], b[1])]), z).map(Math.floor);
      const keep = new Set();
      if ((se[0] - nw[0] + 1) * (se[1] - nw[1] + 1) <= 150) {
        for (let x = nw[0]; x <= se[0]; x += 1) {
          for (let y = nw[1]; y <= se[1]; y += 1) {
            const key = z + '/' + x + '/' + y;
            keep.add(key);
            let img = tiles.get(key);
            if (!img) {
              img = YC.el('img', { className: 'zm-tile', dataset: { tile: key }, attrs: { alt: '', draggable: 'false' } });
              img.style.cssText = 'position:absolute;max-width:none;';
              img.src = tileUrl(t, z, x, y);
              tiles.set(key, img);
              base.insertBefore(img, canvas);
            }
            // edges from the corners the neighbours share (the one to the right starts at x + 1, the one below
            // at y + 1), so no seam opens where a GCJ-02 shift differs by a fraction of a pixel
            const tl = toPx(fromTiles(tileCorner(x, y, z)));
            const right = toPx(fromTiles(tileCorner(x + 1, y, z)))[0];
            const bottom = toPx(fromTiles(tileCorner(x, y + 1, z)))[1];
            img.style.left = tl[0] + 'px';
            img.style.top = tl[1] + 'px';
            img.style.width = (right - tl[0] + 0.5) + 'px';
            img.style.height = (bottom - tl[1] + 0.5) + 'px';
          }
        }
      }
      tiles.forEach((img, key) => { if (!keep.has(key)) { img.remove(); tiles.delete(key); } });
    }

    function drawLayers(w, h, toPx) {
      const ratio = window.devicePixelRatio || 1;
      canvas.width = w * ratio;
      canvas.height = h * ratio;
      canvas.style.width = w + 'px';
      canvas.style.height = h + 'px';
      const ctx = canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, w, h);
      layers.forEach(({ kind, fc }) => {
        ctx.beginPath();
        fc.features.forEach((f) => {
          const g = f.geometry;
          const parts = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates
            : g.type === 'Polygon' ? g.coordinates : g.coordinates.flat(1);
          parts.forEach((line) => line.forEach((p, i) => {
            const xy = toPx(p);
            if (i === 0) ctx.moveTo(xy[0], xy[1]); else ctx.lineTo(xy[0], xy[1]);
          }));
        });
        if (kind === 'buildings') {
          ctx.fillStyle = 'rgba(150,150,160,.45)';
          ctx.fill('evenodd');
        } else {
          ctx.strokeStyle = 'rgba(120,120,130,.8)';
          ctx.lineWidth = 2;
          ctx.stroke();
        }
      });
      canvas.dataset.layers = String(layers.length); // how many of the layers have arrived and been drawn
    }

    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(draw);
    }

    cfg.layers.forEach((layer) => {
      fetch(layer.url, { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).then((fc) => {
        if (fc) { layers.push({ kind: layer.kind, fc }); schedule(); }
      }, () => {});
    });
    chart.on('finished', schedule);
    chart.on('georoam', schedule);
    window.addEventListener('resize', schedule);
    schedule();
    return { redraw: draw };
  }

  /** A colour made see-through (#rrggbb → rgba), so the base map shows under a zone's fill. */
  function fade(color, alpha) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color || '');
    return m ? 'rgba(' + [1, 2, 3].map((i) => parseInt(m[i], 16)).join(',') + ',' + alpha + ')' : color;
  }

  function faded(style) {
    return style && style.areaColor ? Object.assign({}, style, { areaColor: fade(style.areaColor, 0.35) }) : style;
  }

  /** Every [lng, lat] of a GeoJSON geometry's rings. */
  function positions(geometry) {
    const polygons = geometry.type === 'MultiPolygon' ? geometry.coordinates : [geometry.coordinates];
    return polygons.flat(1);
  }

  function middleLatitude(fc) {
    const lats = fc.features.flatMap((f) => positions(f.geometry).flat().map((p) => p[1]));
    return lats.length ? (Math.min(...lats) + Math.max(...lats)) / 2 : STREET_LATITUDE;
  }

  /** The zones' GeoJSON, fetched once and registered with ECharts as MAP. */
  function load() {
    if (!loading) {
      loading = YC.api.get('/api/v1/zones').then((all) => {
        const fc = { type: 'FeatureCollection', features: all.features.filter((f) => !f.properties.parent) };
        latitude = middleLatitude(fc);
        if (window.echarts) window.echarts.registerMap(MAP, fc);
        return fc;
      }, (err) => {
        loading = null; // e.g. offline before the zones were ever kept: try again next time
        throw err;
      });
    }
    return loading;
  }

  function aspectScale() {
    return Math.cos(latitude * Math.PI / 180);
  }

  function isPlain(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  /** The geo component for the zones: the shared shape and theme, with the page's `extra` options. */
  function geo(theme, extra) {
    const shape = { aspectScale: aspectScale(), preserveAspect: 'contain' };
    const base = Object.assign({ map: MAP, roam: true, selectedMode: false }, THEMES[theme || 'light'] || THEMES.light);
    const option = Object.assign({}, base);
    Object.entries(extra || {}).forEach(([key, value]) => {
      option[key] = isPlain(value) && isPlain(base[key]) ? Object.assign({}, base[key], value) : value;
    });
    Object.assign(option, shape); // the shape is the street's, not the page's
    if (hasBase()) { // the tiles' projection, and zones the base map shows through
      delete option.aspectScale;
      option.projection = MERCATOR;
      option.itemStyle = faded(option.itemStyle);
      if (option.emphasis) option.emphasis = Object.assign({}, option.emphasis, { itemStyle: faded(option.emphasis.itemStyle) });
      if (option.regions) option.regions = option.regions.map((r) => Object.assign({}, r, { itemStyle: faded(r.itemStyle) }));
    }
    return option;
  }

  /** The series type of a marker that calls for attention (超期, 督办): pulsing ('effectScatter'), or still
   * ('scatter') when the screen asks for less motion (prefers-reduced-motion: reduce) — a pulse keeps a
   * command-center PC's browser drawing all day. */
  function alertMarker() {
    const still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    return still ? 'scatter' : 'effectScatter';
  }

  YC.zoneMap = { MAP, load, geo, aspectScale, alertMarker, basemap, attachBase, tileXY, toTiles };
}());
