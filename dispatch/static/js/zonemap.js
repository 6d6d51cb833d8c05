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
    return Object.assign(option, shape); // the shape is the street's, not the page's
  }

  YC.zoneMap = { MAP, load, geo, aspectScale };
}());
