/* control-graph interactive map.
 *
 * Draws the data embedded in this page (script#cg-data, written by control_graph.webmap)
 * on two canvases: the geography under everything, redrawn when the view moves, and the
 * network, redrawn when the view or the date changes. Nothing is fetched: the page works
 * offline, and its Content-Security-Policy allows no request except map tiles when the
 * page was written with them. Every state is precomputed: each element carries
 * [day, code, day, code, ...] and the date slider only looks codes up.
 */
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("cg-data").textContent);
  const P = data.places;
  const S = data.segments;
  const nPlaces = P.id.length;
  const nSegments = S.id.length;

  // ---- dates: whole days counted from data.epoch --------------------------------------
  const DAY_MS = 86400000;
  const epochMs = Date.parse(data.epoch + "T00:00:00Z");
  const isoOf = (day) => new Date(epochMs + day * DAY_MS).toISOString().slice(0, 10);
  const dayOf = (iso) => {
    const ms = Date.parse(String(iso) + "T00:00:00Z");
    return Number.isNaN(ms) ? null : Math.round((ms - epochMs) / DAY_MS);
  };
  const clampDay = (day) => Math.max(data.start, Math.min(data.end, day));

  // ---- states: 0 unknown, 1 contested, 2 + i held by data.controllers[i] ---------------
  const colorOf = [data.colors.unknown, data.colors.contested, ...data.controllers.map((c) => c.color)];
  const nCodes = colorOf.length;
  const partyName = (id) => (id == null ? "" : data.parties[id] || id);
  const stateText = (code) =>
    code === 0 ? "unknown" : code === 1 ? "contested" : "held by " + data.controllers[code - 2].name;

  /** The code in force on `day` in a [day, code, ...] list (`before` ahead of the first). */
  function valueAt(states, day, before) {
    let lo = 0;
    let hi = states.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (states[2 * mid] <= day) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? before : states[2 * lo - 1];
  }
  const codeAt = (states, day) => valueAt(states, day, 0);

  // ---- how sure: rough dates, disputes, access (only the elements concerned) ---------
  const sparse = (obj) => new Map(Object.entries(obj || {}).map(([k, v]) => [Number(k), v]));
  const placeUncertain = sparse(P.uncertain);
  const placeDisputed = sparse(P.disputed);
  const segUncertain = sparse(S.uncertain);
  const segDisputed = sparse(S.disputed);
  const segBadge = sparse(S.badge);
  const segAccess = sparse(S.access);
  const trust = data.trust || {};
  /** Whether `day` is in one of the [from, to) stretches of a [from, to, ...] list. */
  function inSpans(spans, day) {
    for (let i = 0; i < spans.length; i += 2) if (spans[i] <= day && day < spans[i + 1]) return true;
    return false;
  }
  /** [[from, to, value], ...] of a [day, value, ...] list whose value `none` means nothing. */
  function stretchesOf(list, none) {
    const out = [];
    for (let i = 0; i < list.length; i += 2) {
      if (list[i + 1] !== none) out.push([list[i], i + 2 < list.length ? list[i + 2] : null, list[i + 1]]);
    }
    return out;
  }
  /** A segment's access on `day`: {level, party, since}, or null where none is recorded. */
  function accessAt(list, day) {
    let found = -1;
    for (let i = 0; i < list.length && list[i] <= day; i += 3) found = i;
    return found < 0 ? null : { level: list[found + 1], party: list[found + 2], since: list[found] };
  }
  const ACCESS_LABEL = {
    blocked: "blocked",
    "fire-control": "under fire control",
    taxed: "taxed (a toll is levied)",
    restricted: "restricted (curfew, permits)",
    open: "open",
  };
  const ACCESS_DRAWN = ["blocked", "fire-control", "taxed", "restricted"];
  const accessText = (a) => ACCESS_LABEL[a.level] + (a.party ? " by " + partyName(a.party) : "");

  /** [[from, to, code], ...] over the slider's range, `to` exclusive (null: open). */
  function intervalsOf(states) {
    const out = [];
    for (let i = 0; i < states.length; i += 2) {
      out.push([states[i], i + 2 < states.length ? states[i + 2] : null, states[i + 1]]);
    }
    return out;
  }

  function sinceText(states, day) {
    let since = null;
    for (let i = 0; i < states.length && states[i] <= day; i += 2) since = states[i];
    return since === null || since <= data.start ? "" : " since " + isoOf(since);
  }

  // ---- projection: spherical Web Mercator in radians, as map tiles use -----------------
  const RAD = Math.PI / 180;
  const mercX = (lon) => lon * RAD;
  const mercY = (lat) => Math.log(Math.tan(Math.PI / 4 + (Math.max(-85.05, Math.min(85.05, lat)) * RAD) / 2));

  const px = new Float64Array(nPlaces);
  const py = new Float64Array(nPlaces);
  const placed = new Uint8Array(nPlaces);
  for (let i = 0; i < nPlaces; i++) {
    if (P.lon[i] !== null && P.lat[i] !== null) {
      px[i] = mercX(P.lon[i]);
      py[i] = mercY(P.lat[i]);
      placed[i] = 1;
    }
  }
  const estimated = new Set(P.estimated);
  const anyPlaced = placed.includes(1);

  // Marker groups, drawn back to front; each has a shape and a base radius in CSS pixels.
  const GROUPS = ["other", "village", "checkpoint", "base", "town"];
  const GROUP_LABEL = {
    town: "Town or city",
    base: "Base or airport",
    checkpoint: "Checkpoint",
    village: "Village",
    other: "Other place",
  };
  const RADIUS = { town: 6, base: 5, checkpoint: 5, village: 4, other: 4 };
  const groupOf = P.group;
  const byGroup = Object.fromEntries(GROUPS.map((g) => [g, []]));
  for (let i = 0; i < nPlaces; i++) if (placed[i]) byGroup[groupOf[i]].push(i);

  const roadOf = (j) => (S.road[j] >= 0 ? data.roads[S.road[j]] : null);
  const placeIndex = new Map(P.id.map((id, i) => [id, i]));
  const segmentIndex = new Map(S.id.map((id, j) => [id, j]));
  const segmentName = (j) => {
    if (S.name[j]) return S.name[j];
    const road = roadOf(j);
    const ends = P.name[S.a[j]] + " \u2013 " + P.name[S.b[j]];
    return road ? road.name + ": " + ends : ends;
  };

  // Every day on which something changes, for the previous/next change buttons.
  const changeDays = (() => {
    const days = new Set();
    for (const list of [P.states, S.states]) for (const s of list) for (let i = 0; i < s.length; i += 2) days.add(s[i]);
    for (const map of [placeUncertain, segUncertain]) for (const s of map.values()) for (let i = 0; i < s.length; i += 2) days.add(s[i]);
    for (const map of [placeDisputed, segDisputed]) for (const s of map.values()) for (const d of s) days.add(d);
    for (const s of segAccess.values()) for (let i = 0; i < s.length; i += 3) days.add(s[i]);
    days.delete(data.end + 1);
    days.delete(data.start);
    return [...days].sort((a, b) => a - b);
  })();

  // ---- geography, projected once -------------------------------------------------------
  const geo = data.geography;
  const project = (flat) => {
    const out = new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i += 2) {
      out[i] = mercX(flat[i]);
      out[i + 1] = mercY(flat[i + 1]);
    }
    return out;
  };
  const geoLayers = geo
    ? {
        land: (geo.land || []).map(project),
        lines: Object.fromEntries(Object.entries(geo.lines || {}).map(([k, v]) => [k, v.map(project)])),
        labels: (geo.labels || []).map((l) => ({ ...l, x: mercX(l.lon), y: mercY(l.lat) })),
      }
    : null;

  // ---- page elements ------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  const stage = $("stage");
  const geoCanvas = $("geo");
  const netCanvas = $("net");
  const geoCtx = geoCanvas.getContext("2d");
  const netCtx = netCanvas.getContext("2d");
  const slider = $("slider");
  const dateOut = $("date");
  const tooltip = $("tooltip");
  const legend = $("legend");
  const panel = $("panel");
  const panelBody = $("panel-body");
  const playButton = $("play");
  if (!geo) stage.style.background = "var(--paper)";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "style") Object.assign(node.style, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // ---- view: CSS pixels per radian and the projected point at the top-left corner ------
  const view = { k: 1, x0: 0, y0: 0 };
  let width = 0;
  let height = 0;
  let dpr = 1;
  let fitK = 1;
  const toX = (x) => (x - view.x0) * view.k;
  const toY = (y) => (view.y0 - y) * view.k;

  function dataBounds() {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const take = (x, y) => {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    };
    for (let i = 0; i < nPlaces; i++) if (placed[i]) take(px[i], py[i]);
    if (minX === Infinity && geo && geo.bounds) {
      take(mercX(geo.bounds[0]), mercY(geo.bounds[1]));
      take(mercX(geo.bounds[2]), mercY(geo.bounds[3]));
    }
    if (minX === Infinity) take(0, 0);
    // A single place (or a row of them) still gets an area around it: about 20 km.
    const least = 0.003;
    if (maxX - minX < least) { minX -= least / 2; maxX += least / 2; }
    if (maxY - minY < least) { minY -= least / 2; maxY += least / 2; }
    return [minX, minY, maxX, maxY];
  }

  function fit() {
    const [minX, minY, maxX, maxY] = dataBounds();
    const left = Math.min(legend.offsetWidth + 30, width / 3);
    const pad = 30;
    const usableW = Math.max(50, width - left - pad);
    const usableH = Math.max(50, height - 2 * pad - 16);
    view.k = Math.min(usableW / (maxX - minX), usableH / (maxY - minY));
    fitK = view.k;
    view.x0 = (minX + maxX) / 2 - (left + usableW / 2) / view.k;
    view.y0 = (minY + maxY) / 2 + (pad + usableH / 2) / view.k;
  }

  function zoomAt(factor, cx, cy) {
    const k = Math.max(fitK / 8, Math.min(fitK * 4096, view.k * factor));
    const x = view.x0 + cx / view.k;
    const y = view.y0 - cy / view.k;
    view.k = k;
    view.x0 = x - cx / k;
    view.y0 = y + cy / k;
    redraw(true);
  }

  function centreOn(x, y, minK) {
    if (minK && view.k < minK) view.k = minK;
    view.x0 = x - width / 2 / view.k;
    view.y0 = y + height / 2 / view.k;
    redraw(true);
  }

  function resize() {
    const box = stage.getBoundingClientRect();
    width = Math.max(1, box.width);
    height = Math.max(1, box.height);
    dpr = window.devicePixelRatio || 1;
    for (const c of [geoCanvas, netCanvas]) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
  }

  // ---- map tiles, when the page was written with --tiles and the reader is online -------
  const tileImages = new Map();
  let tilesOnline = false;

  function drawTiles() {
    if (!data.tiles) return;
    const layer = $("tiles");
    const z = Math.max(0, Math.min(19, Math.round(Math.log2((view.k * 2 * Math.PI) / 256))));
    const n = 2 ** z;
    const size = (2 * Math.PI * view.k) / n;
    const tx = (x) => ((x + Math.PI) / (2 * Math.PI)) * n;
    const ty = (y) => ((Math.PI - y) / (2 * Math.PI)) * n;
    const x0 = Math.floor(tx(view.x0));
    const x1 = Math.floor(tx(view.x0 + width / view.k));
    const y0 = Math.max(0, Math.floor(ty(view.y0)));
    const y1 = Math.min(n - 1, Math.floor(ty(view.y0 - height / view.k)));
    const wanted = new Set();
    for (let x = x0; x <= x1 && x - x0 < 64; x++) {
      for (let y = y0; y <= y1 && y - y0 < 64; y++) {
        const wrapped = ((x % n) + n) % n;
        const key = z + "/" + wrapped + "/" + y;
        wanted.add(key);
        let img = tileImages.get(key);
        if (!img) {
          img = new Image();
          img.alt = "";
          img.addEventListener("load", () => {
            if (!tilesOnline) {
              tilesOnline = true;
              redraw(true);
            }
          });
          img.addEventListener("error", () => img.remove());
          img.src = data.tiles.url
            .replace("{s}", "abc"[(wrapped + y) % 3])
            .replace("{z}", z)
            .replace("{x}", wrapped)
            .replace("{y}", y);
          tileImages.set(key, img);
        }
        img.style.left = toX(-Math.PI + (x * 2 * Math.PI) / n) + "px";
        img.style.top = toY(Math.PI - (y * 2 * Math.PI) / n) + "px";
        img.style.width = img.style.height = size + 0.5 + "px";
        if (!img.parentNode) layer.append(img);
      }
    }
    for (const [key, img] of tileImages) {
      if (!wanted.has(key)) {
        img.remove();
        tileImages.delete(key);
      }
    }
  }

  // ---- geography layer -----------------------------------------------------------------
  const LINE_STYLE = {
    admin1: { color: "#a39e93", width: 0.8, dash: [4, 3] },
    basemap: { color: "#8c8c8c", width: 0.8, dash: [] },
    border: { color: "#6f6a60", width: 1.3, dash: [] },
    coastline: { color: "#7f9db3", width: 1, dash: [] },
  };

  function tracePath(ctx, flat, close) {
    ctx.moveTo(toX(flat[0]), toY(flat[1]));
    for (let i = 2; i < flat.length; i += 2) ctx.lineTo(toX(flat[i]), toY(flat[i + 1]));
    if (close) ctx.closePath();
  }

  function drawGeography() {
    const ctx = geoCtx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!geoLayers) return;
    if (!tilesOnline) {
      // Sea within the area the geography covers; beyond it nothing is drawn, not sea.
      const [west, south, east, north] = geo.bounds;
      const x0 = toX(mercX(west));
      const y0 = toY(mercY(north));
      ctx.fillStyle = "#dce8ef";
      ctx.fillRect(x0, y0, toX(mercX(east)) - x0, toY(mercY(south)) - y0);
      ctx.beginPath();
      for (const ring of geoLayers.land) tracePath(ctx, ring, true);
      ctx.fillStyle = "#f4f2ea";
      ctx.fill("evenodd");
    }
    for (const kind of ["basemap", "admin1", "border", "coastline"]) {
      const lines = geoLayers.lines[kind];
      if (!lines || !lines.length) continue;
      const style = LINE_STYLE[kind];
      ctx.beginPath();
      for (const line of lines) tracePath(ctx, line, false);
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.setLineDash(style.dash);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // Names of countries, then of states, each only where it overlaps no other name.
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const boxes = [];
    for (const label of geoLayers.labels) {
      const x = toX(label.x);
      const y = toY(label.y);
      if (x < -100 || y < -20 || x > width + 100 || y > height + 20) continue;
      const country = label.kind === "country";
      const text = country ? label.name.toUpperCase() : label.name;
      ctx.font = country ? "600 13px sans-serif" : "italic 12px sans-serif";
      const w = ctx.measureText(text).width + 8;
      const box = [x - w / 2, y - 9, w, 18];
      if (boxes.some((b) => box[0] < b[0] + b[2] && b[0] < box[0] + w && box[1] < b[1] + b[3] && b[1] < box[1] + 18)) continue;
      boxes.push(box);
      ctx.fillStyle = country ? "rgba(90, 84, 72, 0.75)" : "rgba(120, 114, 102, 0.8)";
      ctx.fillText(text, x, y);
    }
  }

  // ---- network layer -------------------------------------------------------------------
  let day = data.end;
  let drawnDay = null;
  let drawCount = 0;
  const placeCode = new Uint16Array(nPlaces);
  const segmentCode = new Uint16Array(nSegments);
  let codesDay = null;
  const sx = new Float32Array(nPlaces);
  const sy = new Float32Array(nPlaces);
  const shown = new Uint8Array(nPlaces);
  const segShown = new Uint8Array(nSegments);
  let scale = 1;
  let selected = null;

  // What is uncertain (the late reading's code), disputed or not freely passable today.
  const placeOther = new Map();
  const segOther = new Map();
  const placeDispute = new Set();
  const segDispute = new Set();
  const segBadgeNow = new Set();
  const accessNow = new Map();

  function updateCodes() {
    if (codesDay === day) return;
    for (let i = 0; i < nPlaces; i++) placeCode[i] = codeAt(P.states[i], day);
    for (let j = 0; j < nSegments; j++) segmentCode[j] = codeAt(S.states[j], day);
    for (const [others, lists] of [[placeOther, placeUncertain], [segOther, segUncertain]]) {
      others.clear();
      for (const [k, list] of lists) {
        const code = valueAt(list, day, -1);
        if (code >= 0) others.set(k, code);
      }
    }
    for (const [now, lists] of [[placeDispute, placeDisputed], [segDispute, segDisputed], [segBadgeNow, segBadge]]) {
      now.clear();
      for (const [k, spans] of lists) if (inSpans(spans, day)) now.add(k);
    }
    accessNow.clear();
    for (const [j, list] of segAccess) {
      const found = accessAt(list, day);
      if (found) accessNow.set(j, found);
    }
    codesDay = day;
  }

  function addShape(ctx, group, x, y, r) {
    switch (group) {
      case "town":
        ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
        break;
      case "base":
        ctx.moveTo(x, y - r * 1.1);
        ctx.lineTo(x + r * 1.1, y);
        ctx.lineTo(x, y + r * 1.1);
        ctx.lineTo(x - r * 1.1, y);
        ctx.closePath();
        break;
      case "checkpoint":
        ctx.moveTo(x, y - r * 1.15);
        ctx.lineTo(x + r, y + r * 0.75);
        ctx.lineTo(x - r, y + r * 0.75);
        ctx.closePath();
        break;
      case "village":
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        break;
      default:
        for (let a = 0; a < 6; a++) {
          const t = (a * Math.PI) / 3;
          if (a === 0) ctx.moveTo(x + r * Math.cos(t), y + r * Math.sin(t));
          else ctx.lineTo(x + r * Math.cos(t), y + r * Math.sin(t));
        }
        ctx.closePath();
    }
  }

  // ---- the marks of how sure a state is (as on the static maps) -------------------------
  const INK = "#111111";

  /** Strokes across segment j, slanting at 60 degrees, in the colour the rough dates also allow. */
  function hatchSegment(ctx, j, color, w) {
    const xa = sx[S.a[j]], ya = sy[S.a[j]], xb = sx[S.b[j]], yb = sy[S.b[j]];
    const length = Math.hypot(xb - xa, yb - ya);
    if (length < 1) return;
    const ux = (xb - xa) / length, uy = (yb - ya) / length;
    const vx = ux * 0.5 - uy * 0.866, vy = uy * 0.5 + ux * 0.866;
    const spacing = Math.max(w * 3.2, 8);
    const half = Math.max(w * 1.3, 3.5);
    const margin = radiusOf(S.a[j]) + 2;
    const count = Math.max(1, Math.floor((length - 2 * margin) / spacing) + 1);
    const first = (length - (count - 1) * spacing) / 2;
    ctx.beginPath();
    for (let k = 0; k < count; k++) {
      const cx = xa + ux * (first + k * spacing), cy = ya + uy * (first + k * spacing);
      ctx.moveTo(cx - vx * half, cy - vy * half);
      ctx.lineTo(cx + vx * half, cy + vy * half);
    }
    const width = Math.max(w * 0.6, 1.4);
    ctx.lineCap = "butt";
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = width + 2;
    ctx.stroke();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.stroke();
  }

  /** Diagonal hatching inside place i's marker, in the colour the rough dates also allow. */
  function hatchPlace(ctx, i, color) {
    const r = radiusOf(i);
    ctx.save();
    ctx.beginPath();
    addShape(ctx, groupOf[i], sx[i], sy[i], r);
    ctx.clip();
    ctx.beginPath();
    for (let d = -2 * r; d <= 2 * r; d += 3.2) {
      ctx.moveTo(sx[i] + d - r * 1.2, sy[i] + r * 1.2);
      ctx.lineTo(sx[i] + d + r * 1.2, sy[i] - r * 1.2);
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.4;
    ctx.stroke();
    ctx.restore();
  }

  /** An access symbol at (x, y) on a line running at `angle` radians. */
  function drawAccess(ctx, level, x, y, angle, size) {
    ctx.save();
    ctx.translate(x, y);
    ctx.lineJoin = "miter";
    if (level === "blocked" || level === "restricted") {
      ctx.rotate(angle);
      const long = size * 1.5, thick = size * 0.6;
      ctx.beginPath();
      ctx.rect(-thick / 2, -long / 2, thick, long);
      ctx.fillStyle = level === "blocked" ? INK : "#ffffff";
      ctx.fill();
      ctx.strokeStyle = level === "blocked" ? "#ffffff" : INK;
      ctx.lineWidth = level === "blocked" ? 1.2 : 1.6;
      ctx.stroke();
    } else if (level === "fire-control") {
      const r = size * 0.55;
      ctx.beginPath();
      ctx.arc(0, 0, r * 0.55, 0, 2 * Math.PI);
      for (const [dx, dy] of [[0, 1], [0, -1], [1, 0], [-1, 0]]) {
        ctx.moveTo(dx * r * 0.25, dy * r * 0.25);
        ctx.lineTo(dx * r, dy * r);
      }
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 4;
      ctx.stroke();
      ctx.strokeStyle = INK;
      ctx.lineWidth = 1.6;
      ctx.stroke();
    } else if (level === "taxed") {
      ctx.beginPath();
      ctx.arc(0, 0, size * 0.5, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffffff";
      ctx.fill();
      ctx.strokeStyle = INK;
      ctx.lineWidth = 1.2;
      ctx.stroke();
      ctx.fillStyle = INK;
      ctx.font = "700 " + Math.round(size * 0.7) + "px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("$", 0, 0.5);
    }
    ctx.restore();
  }

  /** A black badge with a white "?" at (x, y). */
  function drawBadge(ctx, x, y, size) {
    ctx.beginPath();
    ctx.arc(x, y, size / 2, 0, 2 * Math.PI);
    ctx.fillStyle = INK;
    ctx.fill();
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.fillStyle = "#ffffff";
    ctx.font = "700 " + Math.round(size * 0.72) + "px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText("?", x, y + 0.5);
  }

  const along = (j, t) => [sx[S.a[j]] + (sx[S.b[j]] - sx[S.a[j]]) * t, sy[S.a[j]] + (sy[S.b[j]] - sy[S.a[j]]) * t];
  // The middle of a contested segment is where its dashes meet; its access sits aside.
  const accessAlong = (j) => (segmentCode[j] === 1 ? 0.64 : 0.5);
  const BADGE_ALONG = 0.8;
  const markSize = () => Math.max(9, Math.min(14, 14 * scale));

  // Towns stay visible however crowded the map: they are what readers find their way by.
  const radiusFor = (group) => (group === "town" ? Math.max(3.5, RADIUS.town * scale) : RADIUS[group] * scale);
  const radiusOf = (i) => radiusFor(groupOf[i]);
  const segmentWidth = () => Math.max(1.2, 3.5 * scale);

  function drawNetwork() {
    updateCodes();
    const ctx = netCtx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const margin = 12;
    let visible = 0;
    for (let i = 0; i < nPlaces; i++) {
      if (!placed[i]) continue;
      const x = toX(px[i]);
      const y = toY(py[i]);
      sx[i] = x;
      sy[i] = y;
      const on = x > -margin && y > -margin && x < width + margin && y < height + margin;
      shown[i] = on ? 1 : 0;
      visible += on;
    }
    // Markers shrink as places crowd together, down to a third of their size.
    scale = Math.max(0.35, Math.min(1, Math.sqrt((width * height) / Math.max(1, visible)) / 26));

    // Segments: a white casing, then one path per state (one stroke call each).
    const buckets = Array.from({ length: nCodes }, () => []);
    for (let j = 0; j < nSegments; j++) {
      const a = S.a[j];
      const b = S.b[j];
      segShown[j] = 0;
      if (!placed[a] || !placed[b]) continue;
      const xa = sx[a], ya = sy[a], xb = sx[b], yb = sy[b];
      if ((xa < 0 && xb < 0) || (ya < 0 && yb < 0) || (xa > width && xb > width) || (ya > height && yb > height)) continue;
      segShown[j] = 1;
      buckets[segmentCode[j]].push(j);
    }
    const w = segmentWidth();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    if (selected && selected.type === "segment" && segShown[selected.index]) {
      const j = selected.index;
      ctx.beginPath();
      ctx.moveTo(sx[S.a[j]], sy[S.a[j]]);
      ctx.lineTo(sx[S.b[j]], sy[S.b[j]]);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = w + 8;
      ctx.stroke();
    }
    ctx.beginPath();
    for (const list of buckets) for (const j of list) {
      ctx.moveTo(sx[S.a[j]], sy[S.a[j]]);
      ctx.lineTo(sx[S.b[j]], sy[S.b[j]]);
    }
    ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
    ctx.lineWidth = w + 2.5;
    ctx.stroke();
    for (let code = 0; code < nCodes; code++) {
      const list = buckets[code];
      if (!list.length) continue;
      ctx.beginPath();
      for (const j of list) {
        ctx.moveTo(sx[S.a[j]], sy[S.a[j]]);
        ctx.lineTo(sx[S.b[j]], sy[S.b[j]]);
      }
      ctx.strokeStyle = colorOf[code];
      ctx.lineWidth = code === 0 ? Math.max(1, w * 0.7) : w;
      // Contested: dashes over the white casing, so it never reads as a party's colour.
      ctx.setLineDash(code === 1 ? [w * 2.2, w * 1.6] : []);
      ctx.lineCap = code === 1 ? "butt" : "round";
      ctx.stroke();
    }
    ctx.setLineDash([]);
    for (const [j, code] of segOther) if (segShown[j]) hatchSegment(ctx, j, colorOf[code], w);
    const size = markSize();
    for (const [j, found] of accessNow) {
      if (!segShown[j] || !ACCESS_DRAWN.includes(found.level)) continue;
      const [x, y] = along(j, accessAlong(j));
      const angle = Math.atan2(sy[S.b[j]] - sy[S.a[j]], sx[S.b[j]] - sx[S.a[j]]);
      drawAccess(ctx, found.level, x, y, angle, size);
    }

    // Places, back to front by group. Where they crowd (thousands on screen), one marker
    // per state and 3-pixel cell stands for all: the same picture, drawn much faster.
    const thin = visible > 3000;
    const cells = thin ? new Set() : null;
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = Math.max(0.6, scale);
    for (const group of GROUPS) {
      const list = byGroup[group];
      if (!list.length) continue;
      const r = radiusFor(group);
      const perCode = Array.from({ length: nCodes }, () => []);
      for (const i of list) {
        if (!shown[i]) continue;
        if (thin) {
          const key = ((Math.floor(sx[i] / 3) + 10) * 100000 + Math.floor(sy[i] / 3) + 10) * 1024 + placeCode[i];
          if (cells.has(key)) continue;
          cells.add(key);
        }
        perCode[placeCode[i]].push(i);
      }
      for (let code = 0; code < nCodes; code++) {
        const items = perCode[code];
        if (!items.length) continue;
        ctx.beginPath();
        for (const i of items) addShape(ctx, group, sx[i], sy[i], r);
        ctx.fillStyle = colorOf[code];
        ctx.fill();
        if (r > 1.8) ctx.stroke();
      }
    }
    for (const [i, code] of placeOther) if (shown[i]) hatchPlace(ctx, i, colorOf[code]);
    for (const i of placeDispute) {
      if (!shown[i]) continue;
      const shift = radiusOf(i) + size * 0.3;
      drawBadge(ctx, sx[i] + shift, sy[i] - shift, size);
    }
    for (const j of segBadgeNow) {
      if (!segShown[j]) continue;
      const [x, y] = along(j, BADGE_ALONG);
      drawBadge(ctx, x, y, size);
    }
    if (selected && selected.type === "place" && shown[selected.index]) {
      const i = selected.index;
      ctx.beginPath();
      ctx.arc(sx[i], sy[i], radiusOf(i) + 5, 0, 2 * Math.PI);
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 5;
      ctx.stroke();
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 2.5;
      ctx.stroke();
    }
    drawLabels(ctx, visible);
    if (!anyPlaced) {
      ctx.font = "15px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillStyle = "#5c5c5c";
      ctx.fillText(nPlaces ? "No place has a position to draw." : "No places in this dataset.", width / 2, height / 2);
    }
    drawnDay = day;
    drawCount += 1;
  }

  // Labels: largest places first, each beside its own marker, none over another label.
  function drawLabels(ctx, visible) {
    const candidates = [];
    for (let g = GROUPS.length - 1; g >= 0; g--) {
      const group = GROUPS[g];
      if (group !== "town" && (visible > 250 || scale < 0.9)) continue;
      for (const i of byGroup[group]) if (shown[i]) candidates.push(i);
      if (candidates.length > 600) break;
    }
    if (!candidates.length) return;
    ctx.font = "12px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    const boxes = [];
    const free = (x, y, w, h) => {
      if (x < 0 || y < 0 || x + w > width || y + h > height) return false;
      for (const b of boxes) if (x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h) return false;
      return true;
    };
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
    ctx.lineJoin = "round";
    for (const i of candidates.slice(0, 600)) {
      const text = P.name[i];
      const w = ctx.measureText(text).width;
      const h = 14;
      const r = radiusOf(i) + 3;
      const spots = [
        [sx[i] + r, sy[i] - h / 2],
        [sx[i] - r - w, sy[i] - h / 2],
        [sx[i] - w / 2, sy[i] - r - h],
        [sx[i] - w / 2, sy[i] + r],
      ];
      const spot = spots.find(([x, y]) => free(x, y, w, h));
      if (!spot) continue;
      boxes.push([spot[0], spot[1], w, h]);
      ctx.strokeText(text, spot[0], spot[1] + h / 2);
      ctx.fillStyle = "#1a1a1a";
      ctx.fillText(text, spot[0], spot[1] + h / 2);
    }
  }

  let frame = 0;
  let viewMoved = true;
  function redraw(moved) {
    viewMoved = viewMoved || moved;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      if (viewMoved) {
        drawTiles();
        drawGeography();
        viewMoved = false;
      }
      drawNetwork();
    });
  }

  // ---- legend --------------------------------------------------------------------------
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }
  function lineSwatch(code) {
    const box = svg("svg", { class: "swatch", viewBox: "0 0 22 12", "aria-hidden": "true" });
    box.append(svg("line", {
      x1: 1, y1: 6, x2: 21, y2: 6, stroke: colorOf[code], "stroke-width": code === 0 ? 3 : 4,
      "stroke-dasharray": code === 1 ? "5 3" : "none",
    }));
    return box;
  }
  function shapeSwatch(group) {
    const box = svg("svg", { class: "swatch", viewBox: "0 0 22 12", "aria-hidden": "true" });
    const shapes = {
      town: "M6 1h10v10H6z",
      base: "M11 0l6 6-6 6-6-6z",
      checkpoint: "M11 0l6 11H5z",
      village: "M15 6a4 4 0 1 1-8 0a4 4 0 1 1 8 0z",
      other: "M15 6l-2 3.5h-4L7 6l2-3.5h4z",
    };
    box.append(svg("path", { d: shapes[group], fill: "#777", stroke: "#fff" }));
    return box;
  }

  const legendCounts = [];
  function buildLegend() {
    legend.append(el("div", { class: "on-day", id: "legend-day" }));
    legend.append(el("h2", {}, data.by === "bloc" ? "Held by (bloc)" : "Held by"));
    const rows = [...data.controllers.map((_, i) => i + 2), 1, 0];
    for (const code of rows) {
      const count = el("span", { class: "count" });
      legendCounts[code] = count;
      const label = code >= 2 ? data.controllers[code - 2].name : code === 1 ? "Contested" : "Unknown";
      legend.append(el("div", { class: "row", "data-code": code }, lineSwatch(code), el("span", {}, label), count));
    }
    const sure = [];
    if (placeUncertain.size || segUncertain.size) sure.push([hatchSwatch(), "Uncertain: rough dates allow the state of the strokes"]);
    if (placeDisputed.size || segDisputed.size) sure.push([badgeSwatch(), "Disputed: a rival claim (" + (trust.dispute_window ?? 7) + " days)"]);
    if (sure.length) {
      legend.append(el("h2", {}, "How sure"));
      for (const [swatch, label] of sure) legend.append(el("div", { class: "row" }, swatch, el("span", {}, label)));
    }
    const levels = new Set();
    for (const list of segAccess.values()) for (let i = 1; i < list.length; i += 3) levels.add(list[i]);
    const shownLevels = ACCESS_DRAWN.filter((level) => levels.has(level));
    if (shownLevels.length) {
      legend.append(el("h2", {}, "Access (not control)"));
      for (const level of shownLevels) {
        legend.append(el("div", { class: "row", "data-access": level }, accessSwatch(level), el("span", {}, ACCESS_LABEL[level])));
      }
    }
    const used = GROUPS.slice().reverse().filter((g) => byGroup[g].length);
    if (used.length) {
      legend.append(el("h2", {}, "Places"));
      for (const g of used) legend.append(el("div", { class: "row" }, shapeSwatch(g), el("span", {}, GROUP_LABEL[g])));
    }
    const left = [];
    if (trust.min_confidence === "medium") left.push("low-confidence reports left out");
    if (trust.min_confidence === "high") left.push("high-confidence reports only");
    if (trust.independent_only) left.push("independent reports only");
    if (left.length) legend.append(el("p", { class: "filters" }, left.join("; ")));
  }

  function hatchSwatch() {
    const box = svg("svg", { class: "swatch", viewBox: "0 0 22 12", "aria-hidden": "true" });
    box.append(svg("line", { x1: 1, y1: 6, x2: 21, y2: 6, stroke: "#a0a0a0", "stroke-width": 4 }));
    for (const x of [5, 11, 17]) box.append(svg("line", { x1: x - 2.5, y1: 10.5, x2: x + 2.5, y2: 1.5, stroke: INK, "stroke-width": 1.6 }));
    return box;
  }
  function badgeSwatch() {
    const box = svg("svg", { class: "swatch", viewBox: "0 0 22 12", "aria-hidden": "true" });
    box.append(svg("circle", { cx: 11, cy: 6, r: 5.5, fill: INK }));
    const mark = svg("text", { x: 11, y: 9.6, "text-anchor": "middle", "font-size": 9, "font-weight": 700, fill: "#fff" });
    mark.textContent = "?";
    box.append(mark);
    return box;
  }
  function accessSwatch(level) {
    const box = svg("svg", { class: "swatch", viewBox: "0 0 22 12", "aria-hidden": "true" });
    box.append(svg("line", { x1: 1, y1: 6, x2: 21, y2: 6, stroke: "#c8c8c8", "stroke-width": 3 }));
    if (level === "blocked" || level === "restricted") {
      box.append(svg("rect", { x: 9.2, y: 0.8, width: 3.6, height: 10.4, fill: level === "blocked" ? INK : "#fff", stroke: INK, "stroke-width": 1.2 }));
    } else if (level === "fire-control") {
      box.append(svg("path", { d: "M11 0.5v4M11 7.5v4M5.5 6h4M12.5 6h4M14 6a3 3 0 1 1-6 0a3 3 0 1 1 6 0", fill: "none", stroke: INK, "stroke-width": 1.4 }));
    } else {
      box.append(svg("circle", { cx: 11, cy: 6, r: 5, fill: "#fff", stroke: INK, "stroke-width": 1.1 }));
      const mark = svg("text", { x: 11, y: 9.2, "text-anchor": "middle", "font-size": 8.5, "font-weight": 700, fill: INK });
      mark.textContent = "$";
      box.append(mark);
    }
    return box;
  }

  function updateLegend() {
    updateCodes();
    const places = new Array(nCodes).fill(0);
    const km = new Array(nCodes).fill(0);
    for (let i = 0; i < nPlaces; i++) places[placeCode[i]] += 1;
    for (let j = 0; j < nSegments; j++) km[segmentCode[j]] += S.km[j];
    for (let code = 0; code < nCodes; code++) {
      const parts = [];
      if (places[code]) parts.push(places[code] + (places[code] === 1 ? " place" : " places"));
      if (km[code]) parts.push(Math.round(km[code]).toLocaleString("en") + " km");
      legendCounts[code].textContent = parts.join(" \u00b7 ");
    }
    $("legend-day").textContent = isoOf(day);
  }

  // ---- date ----------------------------------------------------------------------------
  function setDay(value) {
    const next = clampDay(typeof value === "string" ? dayOf(value) ?? day : Math.round(value));
    if (String(slider.value) !== String(next)) slider.value = next;
    if (next === day && drawnDay !== null) return;
    day = next;
    dateOut.textContent = isoOf(day);
    updateLegend();
    if (selected) showPanel(selected);
    redraw(false);
  }

  let timer = 0;
  const playStep = Math.max(1, Math.ceil((data.end - data.start) / 300));
  function stop() {
    clearInterval(timer);
    timer = 0;
    playButton.textContent = "\u25b6";
    playButton.setAttribute("aria-label", "Play");
  }
  function play() {
    if (timer) return stop();
    if (day >= data.end) setDay(data.start);
    playButton.textContent = "\u275a\u275a";
    playButton.setAttribute("aria-label", "Pause");
    timer = setInterval(() => {
      if (day >= data.end) stop();
      else setDay(day + playStep);
    }, 60);
  }
  function jumpChange(direction) {
    const found = direction > 0 ? changeDays.find((d) => d > day) : [...changeDays].reverse().find((d) => d < day);
    setDay(found ?? (direction > 0 ? data.end : data.start));
  }

  // ---- hover and selection -------------------------------------------------------------
  function hit(mx, my) {
    let best = null;
    let bestD = Infinity;
    for (let i = 0; i < nPlaces; i++) {
      if (!shown[i]) continue;
      const d = Math.hypot(sx[i] - mx, sy[i] - my);
      if (d <= radiusOf(i) + 4 && d < bestD) {
        bestD = d;
        best = { type: "place", index: i };
      }
    }
    if (best) return best;
    const reach = segmentWidth() / 2 + 4;
    for (let j = 0; j < nSegments; j++) {
      if (!segShown[j]) continue;
      const ax = sx[S.a[j]], ay = sy[S.a[j]], bx = sx[S.b[j]], by = sy[S.b[j]];
      const dx = bx - ax, dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 ? Math.max(0, Math.min(1, ((mx - ax) * dx + (my - ay) * dy) / len2)) : 0;
      const d = Math.hypot(ax + t * dx - mx, ay + t * dy - my);
      if (d <= reach && d < bestD) {
        bestD = d;
        best = { type: "segment", index: j };
      }
    }
    return best;
  }

  function describe(target) {
    if (target.type === "place") {
      const i = target.index;
      const code = placeCode[i];
      return [P.name[i], P.kind[i], stateText(code) + sinceText(P.states[i], day)];
    }
    const j = target.index;
    return [segmentName(j), S.km[j] + " km", stateText(segmentCode[j]) + sinceText(S.states[j], day)];
  }

  /** What makes today's answer for `target` less than sure, one line each. */
  function doubts(target) {
    updateCodes();
    const place = target.type === "place";
    const k = target.index;
    const other = (place ? placeOther : segOther).get(k);
    const lines = [];
    if (other !== undefined) lines.push("uncertain: the rough dates also allow " + stateText(other));
    if ((place ? placeDispute : segDispute).has(k)) {
      const own = place || segBadgeNow.has(k);
      lines.push("disputed: a rival claim" + (own ? "" : " about one of its ends"));
    }
    const found = place ? null : accessNow.get(k);
    if (found) lines.push("access: " + accessText(found));
    return lines;
  }

  function showTooltip(target, mx, my) {
    if (!target) {
      tooltip.hidden = true;
      netCanvas.classList.remove("pointing");
      return;
    }
    const [name, kind, state] = describe(target);
    const notes = doubts(target).flatMap((line) => [el("br"), el("span", { class: "doubt" }, line)]);
    tooltip.replaceChildren(el("b", {}, name), kind ? " (" + kind + ")" : "", el("br"), el("span", { class: "state" }, state), ...notes);
    tooltip.hidden = false;
    const box = tooltip.getBoundingClientRect();
    tooltip.style.left = Math.min(mx + 14, width - box.width - 4) + "px";
    tooltip.style.top = (my + 16 + box.height > height ? my - box.height - 10 : my + 16) + "px";
    netCanvas.classList.add("pointing");
  }

  function fieldLine(label, value) {
    return value == null || value === "" ? null : el("div", { class: "meta" }, label + ": ", String(value));
  }

  function sourceLine(id) {
    if (!id) return null;
    const source = data.sources[id] || {};
    const line = el("div", { class: "meta" }, "Source: ", source.name || id);
    if (source.published) line.append(", published " + source.published);
    if (source.url && /^https?:\/\//i.test(source.url)) {
      line.append(" ", el("a", { href: source.url, target: "_blank", rel: "noopener noreferrer" }, "link"));
    }
    return line;
  }

  // Fields of a report shown in their own words; anything else is listed as it is.
  const SHOWN = new Set(["id", "date", "date_latest", "until", "recorded", "status", "party", "claimant",
    "confidence", "kind", "source", "note", "attributes", "not_counted", "access"]);

  function reportEntry(report, scope, isIncident) {
    const when = report.date + (report.date_latest ? " \u2013 " + report.date_latest : "");
    const what = isIncident
      ? report.kind || "incident"
      : report.status === "held" ? "held by " + partyName(report.party) : report.status || "";
    const fighting = !isIncident && report.status !== "held" && report.party ? " (" + partyName(report.party) + ")" : "";
    const later = dayOf(report.date) > day;
    const ignored = report.not_counted ? " ignored" : "";
    const entry = el("div", { class: "report" + (later ? " later" : "") + ignored },
      el("div", { class: "head" }, when + " \u00b7 " + what + fighting, scope ? el("span", { class: "scope" }, scope) : null),
      fieldLine("Not counted", report.not_counted),
      isIncident && report.party ? fieldLine("By", partyName(report.party)) : null,
      !isIncident ? fieldLine("Kind", report.kind) : null,
      fieldLine("Claimed by", report.claimant ? partyName(report.claimant) : null),
      fieldLine("Confidence", report.confidence),
      fieldLine("Until", report.until),
      sourceLine(report.source),
      report.recorded && report.recorded !== report.date ? fieldLine("Recorded", report.recorded) : null,
    );
    for (const [k, v] of Object.entries(report)) {
      if (!SHOWN.has(k) && v != null && typeof v !== "object") entry.append(fieldLine(k.replace(/_/g, " "), v));
    }
    if (report.attributes) for (const [k, v] of Object.entries(report.attributes)) entry.append(fieldLine(k, JSON.stringify(v)));
    if (report.note) entry.append(el("div", { class: "note" }, report.note));
    return entry;
  }

  function reportList(title, own, road, isIncident) {
    const all = [...(own || []).map((r) => [r, null]), ...(road || []).map((r) => [r, "whole road"])];
    all.sort((a, b) => (a[0].date < b[0].date ? -1 : a[0].date > b[0].date ? 1 : 0));
    const section = [el("h3", {}, title + " (" + all.length + ")")];
    if (!all.length) section.push(el("div", { class: "empty" }, isIncident ? "None recorded." : "No report of its own."));
    for (const [report, scope] of all) section.push(reportEntry(report, scope, isIncident));
    return section;
  }

  function accessEntry(report, scope) {
    const entry = el("div", { class: "report" + (dayOf(report.date) > day ? " later" : "") + (report.not_counted ? " ignored" : "") },
      el("div", { class: "head" }, report.date + " \u00b7 " + (ACCESS_LABEL[report.access] || report.access) +
        (report.party ? " by " + partyName(report.party) : ""), scope ? el("span", { class: "scope" }, scope) : null),
      fieldLine("Not counted", report.not_counted),
      fieldLine("Confidence", report.confidence),
      sourceLine(report.source),
      report.recorded && report.recorded !== report.date ? fieldLine("Recorded", report.recorded) : null,
      report.id ? fieldLine("Id", report.id) : null,
    );
    if (report.note) entry.append(el("div", { class: "note" }, report.note));
    return entry;
  }

  /** The stretches of doubt of an element over the slider's range, and its access. */
  function trustBlock(target) {
    const place = target.type === "place";
    const k = target.index;
    const block = [];
    const rows = [];
    const to = (end) => (end === null || end > data.end ? "onwards" : "to " + isoOf(end - 1));
    const uncertain = (place ? placeUncertain : segUncertain).get(k);
    for (const [from, end, code] of stretchesOf(uncertain || [], -1)) {
      rows.push(el("tr", { class: from <= day && (end === null || day < end) ? "current" : "" },
        el("td", {}, el("span", { class: "dot hatched", style: { color: colorOf[code] } }), "uncertain: the rough dates also allow " + stateText(code)),
        el("td", {}, isoOf(from)), el("td", {}, to(end))));
    }
    const spans = (place ? placeDisputed : segDisputed).get(k) || [];
    for (let n = 0; n < spans.length; n += 2) {
      rows.push(el("tr", { class: spans[n] <= day && day < spans[n + 1] ? "current" : "" },
        el("td", {}, el("span", { class: "dot badge" }, "?"), "disputed: a rival claim"),
        el("td", {}, isoOf(spans[n])), el("td", {}, to(spans[n + 1]))));
    }
    if (rows.length) {
      block.push(el("h3", {}, "How sure"),
        el("p", { class: "sub" }, "Rough dates are read both ways; a report is disputed when a different claim about it, by another side, came within " +
          (trust.dispute_window ?? 7) + " days before it."),
        el("table", {}, ...rows));
    }
    if (!place) {
      const id = S.id[k];
      const road = roadOf(k);
      const changes = [];
      const list = segAccess.get(k) || [];
      for (let n = 0; n < list.length; n += 3) {
        const end = n + 3 < list.length ? list[n + 3] : null;
        changes.push(el("tr", { class: list[n] <= day && (end === null || day < end) ? "current" : "" },
          el("td", {}, accessText({ level: list[n + 1], party: list[n + 2] })), el("td", {}, isoOf(list[n])), el("td", {}, to(end))));
      }
      const reports = [...(data.access[id] || []).map((r) => [r, null]), ...((road && data.access[road.id]) || []).map((r) => [r, "whole road"])];
      reports.sort((a, b) => (a[0].date < b[0].date ? -1 : a[0].date > b[0].date ? 1 : 0));
      if (changes.length || reports.length) {
        block.push(el("h3", {}, "Access (not control)"));
        if (changes.length) block.push(el("table", {}, ...changes));
        for (const [report, scope] of reports) block.push(accessEntry(report, scope));
      }
    }
    return block;
  }

  function timelineBlock(states, uncertain) {
    const parts = intervalsOf(states);
    const span = Math.max(1, data.end - data.start + 1);
    const bar = el("div", { class: "bar", title: "From " + isoOf(data.start) + " to " + isoOf(data.end) });
    let at = data.start;
    for (const [from, to, code] of parts) {
      if (from > at) bar.append(el("span", { style: { width: ((from - at) / span) * 100 + "%", background: colorOf[0] } }));
      const end = to === null ? data.end + 1 : to;
      bar.append(el("span", { style: { width: ((end - from) / span) * 100 + "%", background: colorOf[code] } }));
      at = end;
    }
    if (at < data.end + 1) bar.append(el("span", { style: { width: ((data.end + 1 - at) / span) * 100 + "%", background: colorOf[0] } }));
    for (const [from, to, code] of stretchesOf(uncertain || [], -1)) {
      const end = to === null ? data.end + 1 : to;
      bar.append(el("span", { class: "hatch", style: {
        left: ((from - data.start) / span) * 100 + "%", width: ((end - from) / span) * 100 + "%", color: colorOf[code] } }));
    }
    bar.append(el("span", { class: "cursor", style: { left: ((day - data.start) / span) * 100 + "%" } }));
    const table = el("table", {});
    for (const [from, to, code] of parts) {
      const current = from <= day && (to === null || day < to);
      table.append(el("tr", { class: current ? "current" : "" },
        el("td", {}, el("span", { class: "dot", style: { background: colorOf[code] } }), stateText(code)),
        el("td", {}, isoOf(from) + (from <= data.start && data.clipped ? " or earlier" : "")),
        el("td", {}, to === null ? "onwards" : "to " + isoOf(to - 1))));
    }
    return [
      el("h3", {}, "Timeline"),
      bar,
      el("div", { class: "axis" }, el("span", {}, isoOf(data.start)), el("span", {}, isoOf(data.end))),
      parts.length ? table : el("div", { class: "empty" }, "Never known in this period."),
    ];
  }

  function aboutBlock(info) {
    if (!info) return [];
    const block = [el("h3", {}, "About")];
    if (info.aliases) block.push(fieldLine("Also called", info.aliases.join(", ")));
    for (const [k, v] of Object.entries(info.attributes || {})) block.push(fieldLine(k, typeof v === "object" ? JSON.stringify(v) : v));
    if (info.note) block.push(el("div", { class: "note" }, info.note));
    return block.length > 1 ? block : [];
  }

  function placeLink(i) {
    return el("button", { class: "link", type: "button", onclick: () => select({ type: "place", index: i }, true) }, P.name[i]);
  }

  function showPanel(target) {
    const body = [];
    if (target.type === "place") {
      const i = target.index;
      const id = P.id[i];
      body.push(
        el("h2", {}, P.name[i]),
        el("p", { class: "sub" }, [P.kind[i] || "place", id].join(" \u00b7 ")),
        el("p", { class: "now" }, "On " + isoOf(day) + ": " + stateText(placeCode[i]) + sinceText(P.states[i], day)),
        ...doubts(target).map((line) => el("p", { class: "doubt" }, line)),
        !placed[i] ? el("p", { class: "sub" }, "No position: not on the map.") : null,
        estimated.has(i) ? el("p", { class: "sub" }, "Position estimated from its neighbours.") : null,
        ...timelineBlock(P.states[i], placeUncertain.get(i)),
        ...trustBlock(target),
        ...reportList("Reports", data.events[id], null, false),
        ...reportList("Incidents", data.incidents[id], null, true),
        ...aboutBlock(P.info[id]),
      );
    } else {
      const j = target.index;
      const id = S.id[j];
      const road = roadOf(j);
      body.push(
        el("h2", {}, segmentName(j)),
        el("p", { class: "sub" }, ["segment " + id, road ? road.name : null, S.km[j] + " km"].filter(Boolean).join(" \u00b7 ")),
        el("p", { class: "now" }, "On " + isoOf(day) + ": " + stateText(segmentCode[j]) + sinceText(S.states[j], day)),
        ...doubts(target).map((line) => el("p", { class: "doubt" }, line)),
        el("p", { class: "sub" }, "Between ", placeLink(S.a[j]), " and ", placeLink(S.b[j]),
          ". Without a report of its own, a segment follows its two ends."),
        ...timelineBlock(S.states[j], segUncertain.get(j)),
        ...trustBlock(target),
        ...reportList("Reports", data.events[id], road ? data.events[road.id] : null, false),
        ...reportList("Incidents", data.incidents[id], road ? data.incidents[road.id] : null, true),
        ...aboutBlock(S.info[id]),
        ...(road ? aboutBlock(road) : []),
      );
    }
    panelBody.replaceChildren(...body.filter(Boolean));
    panel.hidden = false;
  }

  function select(target, centre) {
    selected = target;
    if (!target) {
      panel.hidden = true;
      redraw(false);
      return;
    }
    updateCodes();
    showPanel(target);
    if (centre) {
      const i = target.type === "place" ? target.index : S.a[target.index];
      if (placed[i]) centreOn(px[i], py[i], fitK * 4);
    }
    redraw(false);
  }

  function find(text) {
    const q = text.trim().toLowerCase();
    if (!q) return null;
    const exact = P.id.findIndex((id, i) => id === q || P.name[i].toLowerCase() === q);
    if (exact >= 0) return { type: "place", index: exact };
    const starts = P.name.findIndex((n) => n.toLowerCase().startsWith(q));
    if (starts >= 0) return { type: "place", index: starts };
    const j = S.id.findIndex((id, k) => id === q || segmentName(k).toLowerCase().includes(q));
    if (j >= 0) return { type: "segment", index: j };
    const within = P.name.findIndex((n) => n.toLowerCase().includes(q));
    return within >= 0 ? { type: "place", index: within } : null;
  }

  // ---- input ---------------------------------------------------------------------------
  let drag = null;
  netCanvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, x0: view.x0, y0: view.y0, moved: false };
    netCanvas.setPointerCapture(e.pointerId);
  });
  netCanvas.addEventListener("pointermove", (e) => {
    const box = netCanvas.getBoundingClientRect();
    const mx = e.clientX - box.left;
    const my = e.clientY - box.top;
    if (drag) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (drag.moved) {
        stage.classList.add("dragging");
        tooltip.hidden = true;
        view.x0 = drag.x0 - dx / view.k;
        view.y0 = drag.y0 + dy / view.k;
        redraw(true);
        return;
      }
    }
    showTooltip(hit(mx, my), mx, my);
  });
  netCanvas.addEventListener("pointerup", (e) => {
    const was = drag;
    drag = null;
    stage.classList.remove("dragging");
    if (was && !was.moved) {
      const box = netCanvas.getBoundingClientRect();
      select(hit(e.clientX - box.left, e.clientY - box.top), false);
    }
  });
  netCanvas.addEventListener("pointerleave", () => {
    tooltip.hidden = true;
  });
  netCanvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const box = netCanvas.getBoundingClientRect();
    zoomAt(Math.pow(1.2, -e.deltaY / 100), e.clientX - box.left, e.clientY - box.top);
  }, { passive: false });
  netCanvas.addEventListener("dblclick", (e) => {
    const box = netCanvas.getBoundingClientRect();
    zoomAt(2, e.clientX - box.left, e.clientY - box.top);
  });
  $("zoom-in").addEventListener("click", () => zoomAt(1.6, width / 2, height / 2));
  $("zoom-out").addEventListener("click", () => zoomAt(1 / 1.6, width / 2, height / 2));
  $("zoom-fit").addEventListener("click", () => {
    fit();
    redraw(true);
  });
  slider.addEventListener("input", () => setDay(Number(slider.value)));
  playButton.addEventListener("click", play);
  $("prev").addEventListener("click", () => jumpChange(-1));
  $("next").addEventListener("click", () => jumpChange(1));
  $("panel-close").addEventListener("click", () => select(null));
  $("search").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const found = find(e.target.value);
    e.target.setCustomValidity(found ? "" : "Nothing of that name");
    e.target.reportValidity();
    if (found) select(found, true);
  });
  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type !== "range") return;
    if (e.key === "Escape") select(null);
    else if (e.key === " " && !(e.target instanceof HTMLButtonElement)) {
      e.preventDefault();
      play();
    } else if (e.key === "+" || e.key === "=") zoomAt(1.6, width / 2, height / 2);
    else if (e.key === "-") zoomAt(1 / 1.6, width / 2, height / 2);
  });
  new ResizeObserver(() => {
    resize();
    redraw(true);
  }).observe(stage);

  // ---- start: #date=YYYY-MM-DD&select=ID in the address picks the day and an element ---
  function followAddress() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const wanted = hash.get("date") ? dayOf(hash.get("date")) : null;
    if (wanted !== null) setDay(wanted);
    const id = hash.get("select");
    if (id && placeIndex.has(id)) select({ type: "place", index: placeIndex.get(id) }, false);
    else if (id && segmentIndex.has(id)) select({ type: "segment", index: segmentIndex.get(id) }, false);
  }
  slider.min = data.start;
  slider.max = data.end;
  $("credits").textContent = [data.credits, geo && geo.attribution, data.tiles && data.tiles.attribution]
    .filter(Boolean).join(" \u00b7 ");
  buildLegend();
  resize();
  fit();
  const initial = new URLSearchParams(location.hash.slice(1)).get("date");
  day = clampDay((initial ? dayOf(initial) : null) ?? data.end);
  slider.value = day;
  dateOut.textContent = isoOf(day);
  updateLegend();
  drawTiles();
  drawGeography();
  viewMoved = false;
  drawNetwork();
  followAddress();
  window.addEventListener("hashchange", followAddress);

  /* For scripts and tests: the state drawn, where an element is on screen, and the time
   * the first drawing took (milliseconds since the page started loading). */
  window.controlGraphMap = {
    readyMs: performance.now(),
    get day() { return isoOf(day); },
    get drawnDay() { return drawnDay === null ? null : isoOf(drawnDay); },
    get draws() { return drawCount; },
    setDay: (value) => setDay(typeof value === "number" ? value : String(value)),
    select: (id) => {
      const i = placeIndex.get(id);
      const j = segmentIndex.get(id);
      select(i !== undefined ? { type: "place", index: i } : j !== undefined ? { type: "segment", index: j } : null, false);
    },
    stateOf: (id) => {
      updateCodes();
      const i = placeIndex.get(id);
      const j = segmentIndex.get(id);
      const code = i !== undefined ? placeCode[i] : j !== undefined ? segmentCode[j] : null;
      if (code === null) return null;
      const asState = (c) => ({
        status: c === 0 ? "unknown" : c === 1 ? "contested" : "held",
        controller: c >= 2 ? data.controllers[c - 2].id : null,
      });
      const place = i !== undefined;
      const k = place ? i : j;
      const other = (place ? placeOther : segOther).get(k);
      const found = place ? null : accessNow.get(k);
      return {
        ...asState(code),
        color: colorOf[code],
        otherwise: other === undefined ? null : asState(other),
        disputed: (place ? placeDispute : segDispute).has(k),
        access: found ? { access: found.level, party: found.party } : null,
      };
    },
    screenPoint: (id, along = 0.5) => {
      const i = placeIndex.get(id);
      const j = segmentIndex.get(id);
      if (i !== undefined) return placed[i] ? { x: toX(px[i]), y: toY(py[i]) } : null;
      if (j === undefined || !placed[S.a[j]] || !placed[S.b[j]]) return null;
      const a = S.a[j];
      const b = S.b[j];
      return { x: toX(px[a] + (px[b] - px[a]) * along), y: toY(py[a] + (py[b] - py[a]) * along) };
    },
  };
  document.documentElement.dataset.ready = "true";
})();
