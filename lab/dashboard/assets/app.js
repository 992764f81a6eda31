// maillab class dashboard: reads snapshots of the class from lab grade
// --serve (server-sent events) and draws them. Every text from the servers
// (addresses, command lines, reasons) goes into the page as text nodes,
// never as HTML.
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  let texts = {};
  let lang = 'ja';
  let snap = null;
  let connected = false;
  const open = new Set(); // session ids whose details are open

  const $ = (id) => document.getElementById(id);

  // el makes an element; children that are strings become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'title') e.title = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c !== undefined && c !== null) e.append(c);
    }
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // t is a page text in the chosen language, %d and %s filled in order.
  function t(key, ...args) {
    const x = texts[key];
    let s = x ? x[lang] : key;
    for (const a of args) s = s.replace(/%[ds]/, String(a));
    return s;
  }

  const inLang = (x) => (x ? x[lang] : '');

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }

  const marks = { passed: '✓', 'not-passed': '✗', unknown: '?' };
  const statusWord = { passed: 'page-passed', 'not-passed': 'page-not-passed', unknown: 'page-unknown' };

  // clusterText is a cluster as people write it: 1–3, or 1,4,7.
  function clusterText(c) {
    if (!c || !c.length) return '';
    const contiguous = c.length > 1 && c.every((v, i) => i === 0 || v === c[i - 1] + 1);
    return contiguous ? c[0] + '–' + c[c.length - 1] : c.join(',');
  }

  function drawStatic() {
    document.documentElement.lang = lang;
    document.title = t('page-title');
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    $('lang').textContent = t('page-lang');
    drawStatus();
  }

  function drawStatus() {
    const s = $('status');
    s.className = 'status ' + (connected ? 'live' : 'offline');
    if (!connected) {
      s.textContent = t('page-offline');
    } else if (snap) {
      s.textContent = t('page-live') + ' · ' + t('page-updated') + ' ' + new Date(snap.time).toLocaleTimeString(lang);
    } else {
      s.textContent = t('page-live');
    }
  }

  function drawGrid() {
    const table = $('grid');
    clear(table);
    const head = el('tr', {}, el('th', {}, t('page-group')), el('th', {}, t('page-cluster')));
    for (const x of snap.exercises) head.append(el('th', { class: 'ex', title: inLang(x.title) }, x.id));
    head.append(el('th', {}, t('page-total')));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    const doneBy = snap.exercises.map(() => 0);
    for (const g of snap.groups) {
      const row = el('tr', { 'data-group': g.group, class: g.error ? 'unreachable' : '' },
        el('td', { class: 'group', title: g.domain }, 'g' + g.group),
        el('td', {}, clusterText(g.cluster)));
      if (g.error) {
        row.append(el('td', { class: 'unreachable', colspan: snap.exercises.length, 'data-group': g.group },
          t('page-unreachable') + ': ' + (inLang(g.reason) || g.error)));
      } else {
        g.cells.forEach((c, i) => {
          if (c.status === 'passed') doneBy[i]++;
          row.append(el('td', {
            class: 'cell ' + c.status, 'data-group': g.group, 'data-ex': c.id, 'data-status': c.status,
            title: t(statusWord[c.status] || 'page-unknown') + ' — ' + inLang(c.detail),
          }, marks[c.status] || '·'));
        });
      }
      row.append(el('td', { class: 'total', 'data-group': g.group }, g.error ? '—' : g.passed + '/' + snap.exercises.length));
      body.append(row);
    }
    const foot = el('tr', { class: 'done-by' }, el('td', { colspan: 2 }, t('page-done-by')));
    for (const n of doneBy) foot.append(el('td', {}, n + '/' + snap.groups.length));
    foot.append(el('td'));
    body.append(foot);
    table.append(body);
  }

  function drawFlow() {
    const f = snap.flow;
    const n = f.groups.length;
    // the matrix
    const table = $('flow-matrix');
    clear(table);
    const head = el('tr', {}, el('th', {}, t('page-flow-from')));
    for (const g of f.groups) head.append(el('th', {}, 'g' + g));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (let i = 0; i < n; i++) {
      const row = el('tr', {}, el('th', {}, 'g' + f.groups[i]));
      for (let j = 0; j < n; j++) {
        const d = f.delivered[i][j];
        const cls = [i === j ? 'diag' : '', d === 0 ? 'zero' : ''].join(' ').trim();
        const cell = el('td', { class: cls, 'data-from': f.groups[i], 'data-to': f.groups[j] }, String(d));
        if (f.waiting[i][j]) cell.append(el('span', { class: 'extra' }, t('page-flow-waiting') + ' ' + f.waiting[i][j]));
        if (f.bounced[i][j]) cell.append(el('span', { class: 'extra' }, t('page-flow-bounced') + ' ' + f.bounced[i][j]));
        row.append(cell);
      }
      body.append(row);
    }
    table.append(body);

    // the graph: the groups on a circle, an arrow for each pair with mail
    const g = $('flow-graph');
    clear(g);
    const defs = svg('defs');
    for (const [id, color] of [['arrow', '#3056a8'], ['arrow-waiting', '#d08700'], ['arrow-bounced', '#b42318']]) {
      const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      m.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: color }));
      defs.append(m);
    }
    g.append(defs);
    const cx = 210, cy = 210, R = n > 1 ? 160 : 0, r = 22;
    const pos = f.groups.map((_, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
      return [cx + R * Math.cos(a), cy + R * Math.sin(a)];
    });
    const clusters = [];
    for (const grp of snap.groups) {
      const key = clusterText(grp.cluster);
      if (!clusters.includes(key)) clusters.push(key);
    }
    const palette = ['#cfe3ff', '#ffe1c2', '#d6f5d6', '#f3d4f5', '#fff3b0', '#d0f0f0'];
    const edge = (i, j, count, kind) => {
      const [x1, y1] = pos[i], [x2, y2] = pos[j];
      const dx = x2 - x1, dy = y2 - y1, len = Math.hypot(dx, dy) || 1;
      const ux = dx / len, uy = dy / len;
      // bend each direction to its own side, so that i→j and j→i both show
      const bend = 28;
      const mx = (x1 + x2) / 2 - uy * bend, my = (y1 + y2) / 2 + ux * bend;
      const sx = x1 + ux * r, sy = y1 + uy * r, ex = x2 - ux * (r + 2), ey = y2 - uy * (r + 2);
      const width = 1.5 + Math.log2(1 + count);
      const marker = kind === 'delivered' ? 'arrow' : 'arrow-' + kind;
      g.append(svg('path', {
        class: 'edge ' + kind, d: `M ${sx} ${sy} Q ${mx} ${my} ${ex} ${ey}`, 'stroke-width': width,
        'marker-end': `url(#${marker})`, 'data-from': f.groups[i], 'data-to': f.groups[j],
      }));
      const lx = (sx + 2 * mx + ex) / 4, ly = (sy + 2 * my + ey) / 4;
      const label = kind === 'delivered' ? String(count) : t('page-flow-' + kind) + ' ' + count;
      g.append(svg('text', { class: 'label', x: lx, y: ly }, label));
    };
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        if (f.delivered[i][j]) edge(i, j, f.delivered[i][j], 'delivered');
        if (f.waiting[i][j]) edge(i, j, f.waiting[i][j], 'waiting');
        if (f.bounced[i][j]) edge(i, j, f.bounced[i][j], 'bounced');
      }
    }
    f.groups.forEach((id, i) => {
      const grp = snap.groups.find((x) => x.group === id);
      const fill = grp && grp.error ? '#eee' : palette[clusters.indexOf(clusterText(grp && grp.cluster)) % palette.length];
      const node = svg('g', { class: 'node', 'data-group': id });
      node.append(svg('circle', { cx: pos[i][0], cy: pos[i][1], r, fill }));
      node.append(svg('text', { x: pos[i][0], y: pos[i][1] - 4 }, 'g' + id));
      if (f.delivered[i][i]) node.append(svg('text', { class: 'self', x: pos[i][0], y: pos[i][1] + 10 }, '↻' + f.delivered[i][i]));
      g.append(node);
    });
  }

  function drawProbes() {
    const section = $('probes-section');
    const probes = snap.probes || [];
    section.hidden = probes.length === 0;
    const table = $('probes');
    clear(table);
    if (!probes.length) return;
    table.append(el('thead', {}, el('tr', {}, el('th', {}, t('page-group')), el('th', {}, 'probe'), el('th'),
      el('th', {}, t('page-expected')), el('th', {}, t('page-got')))));
    const body = el('tbody');
    for (const p of probes) {
      body.append(el('tr', { 'data-group': p.group, 'data-probe': p.name },
        el('td', {}, 'g' + p.group), el('td', {}, p.name),
        el('td', { class: p.status }, marks[p.status] || '·'),
        el('td', {}, inLang(p.expect)), el('td', {}, inLang(p.got))));
    }
    table.append(body);
  }

  function drawSessions() {
    const box = $('sessions');
    // remember which were open
    for (const d of box.querySelectorAll('details[data-session]')) {
      if (d.open) open.add(d.dataset.session); else open.delete(d.dataset.session);
    }
    clear(box);
    for (const g of snap.groups) {
      const card = el('div', { class: 'group', 'data-group': g.group }, el('h3', {}, 'g' + g.group + ' ', el('small', {}, g.domain)));
      if (!g.sessions.length) card.append(el('div', { class: 'none' }, t('page-no-sessions')));
      for (const s of g.sessions) {
        const from = s.client_group ? t('page-from-group', s.client_group) : t('page-from-other');
        const when = new Date(s.start).toLocaleTimeString(lang);
        const summary = el('summary', {}, when + ' ', el('span', { class: 'proto' }, s.proto.toUpperCase()),
          ' ' + t('page-from') + ' ' + s.remote + ' (' + from + ')' + (s.user ? ' · ' + t('page-user') + ' ' + s.user : ''));
        const pre = el('pre', { class: 'lines' });
        for (const l of s.lines) {
          pre.append(el('span', { class: l.dir === 'C' ? 'c' : 's' }, l.dir + ': ' + l.text), '\n');
        }
        if (s.more) pre.append('… +' + s.more + '\n');
        const d = el('details', { 'data-session': s.id }, summary, pre);
        d.open = open.has(s.id);
        card.append(d);
      }
      box.append(card);
    }
  }

  function draw() {
    drawStatic();
    if (!snap) return;
    $('classroom').textContent = snap.classroom || '';
    drawGrid();
    drawFlow();
    drawProbes();
    drawSessions();
  }

  function connect() {
    const es = new EventSource('api/stream');
    es.onopen = () => { connected = true; drawStatus(); };
    es.addEventListener('snapshot', (ev) => {
      connected = true;
      snap = JSON.parse(ev.data);
      draw();
    });
    es.onerror = () => { connected = false; drawStatus(); };
  }

  async function start() {
    const res = await fetch('api/config', { cache: 'no-store' });
    const cfg = await res.json();
    texts = cfg.texts;
    const q = new URLSearchParams(location.search).get('lang');
    lang = q === 'en' || q === 'ja' ? q : cfg.lang;
    $('lang').addEventListener('click', () => {
      lang = lang === 'ja' ? 'en' : 'ja';
      const u = new URL(location.href);
      u.searchParams.set('lang', lang);
      history.replaceState(null, '', u);
      draw();
    });
    draw();
    connect();
  }

  start();
})();
