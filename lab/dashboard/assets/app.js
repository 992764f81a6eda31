// maillab class dashboard: reads snapshots of the class from lab grade
// --serve (server-sent events) and draws them. Every text from the servers
// (addresses, command lines, reasons) goes into the page as text nodes,
// never as HTML.
//
// Two views: the detailed one (every session, the flow as a matrix, the
// probes' full texts) and the projector one (?view=projector, the default
// in a window at least 1600 px wide): the grid with the reasons, the mail
// flow by cluster, a legend and the probes as a grid, on one screen.
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const wide = window.matchMedia('(min-width: 1600px)');
  const freshFor = 10000; // ms a cell that just passed stays highlighted
  const recentShown = 4;
  let texts = {};
  let lang = 'ja';
  let view = ''; // 'projector', 'full', or '' for by the window's width
  let snap = null;
  let connected = false;
  const open = new Set(); // session ids whose details are open
  let statuses = null; // "group exercise" → status, of the last snapshot
  const fresh = new Map(); // "group exercise" → when it turned ✓ (ms)
  const recent = []; // {group, id, at}, the newest first
  let freshTimer = 0;

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
  // the clusters' colours, of the nodes and of the groups' row labels
  const palette = ['#b9d4ff', '#ffd2a8', '#c3efc3', '#f0c4f3', '#fff09a', '#bfecec'];
  const unreachableFill = '#e4e4e7';

  // clusterText is a cluster as people write it: 1–3, or 1,4,7.
  function clusterText(c) {
    if (!c || !c.length) return '';
    const contiguous = c.length > 1 && c.every((v, i) => i === 0 || v === c[i - 1] + 1);
    return contiguous ? c[0] + '–' + c[c.length - 1] : c.join(',');
  }

  // clusters are the snapshot's clusters, each a list of groups, in the
  // order of their first group; a group of no cluster is one of its own.
  function clusters() {
    const out = [];
    const seen = new Set();
    for (const g of snap.groups) {
      const members = g.cluster && g.cluster.length ? g.cluster : [g.group];
      const key = members.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(members);
    }
    return out;
  }

  function clusterIndex(group) {
    return clusters().findIndex((c) => c.includes(group));
  }

  // shortReason is the first sentence of a reason: the rest is in the
  // cell's tooltip and in lab check.
  function shortReason(s) {
    if (!s) return '';
    const m = s.match(/^(.+?[。？]|.+?[.?](?=\s))/);
    return m ? m[1] : s;
  }

  function projector() {
    return view === 'projector' || (view === '' && wide.matches);
  }

  function drawStatic() {
    document.documentElement.lang = lang;
    document.documentElement.classList.toggle('projector', projector());
    document.title = t('page-title');
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    $('lang').textContent = t('page-lang');
    $('view').textContent = t(projector() ? 'page-view-full' : 'page-view-projector');
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

  // noteCompletions finds the cells that turned ✓ since the last
  // snapshot (none on the first: what passed before the page opened is
  // not news).
  function noteCompletions() {
    const now = Date.now();
    const next = new Map();
    for (const g of snap.groups) {
      for (const c of g.cells || []) {
        const key = g.group + ' ' + c.id;
        const was = statuses ? statuses.get(key) : undefined;
        if (g.error) {
          // what an unreachable group passed is not known now: keep the last
          if (was !== undefined) next.set(key, was);
          continue;
        }
        next.set(key, c.status);
        if (c.status === 'passed' && was !== undefined && was !== 'passed') {
          fresh.set(key, now);
          recent.unshift({ group: g.group, id: c.id, at: now });
        }
      }
    }
    statuses = next;
    recent.splice(recentShown);
  }

  function isFresh(key) {
    const at = fresh.get(key);
    if (at === undefined) return false;
    if (Date.now() - at < freshFor) return true;
    fresh.delete(key);
    return false;
  }

  // the highlight ends by itself: the grid is drawn again when the oldest
  // highlight is over
  function scheduleUnhighlight() {
    clearTimeout(freshTimer);
    if (!fresh.size) return;
    const until = Math.min(...fresh.values()) + freshFor;
    freshTimer = setTimeout(() => { drawGrid(); scheduleUnhighlight(); }, Math.max(until - Date.now(), 50));
  }

  function drawRecent() {
    const box = $('recent');
    clear(box);
    box.append(el('span', { class: 'recent-title' }, t('page-recent')));
    if (!recent.length) {
      box.append(el('span', { class: 'recent-none' }, t('page-recent-none')));
      return;
    }
    const list = el('ul');
    for (const r of recent) {
      list.append(el('li', { 'data-group': r.group, 'data-ex': r.id },
        el('span', { class: 'mark' }, '✓'), ' g' + r.group + ' ', el('code', {}, r.id), ' ',
        el('small', {}, new Date(r.at).toLocaleTimeString(lang))));
    }
    box.append(list);
  }

  function drawGrid() {
    const table = $('grid');
    clear(table);
    const n = snap.exercises.length;
    // the projector view shows the cluster by the colour of the group's
    // name, as in the mail flow
    const withCluster = !projector();
    // the projector view has room for the first sentence of a reason
    const short = projector();
    const head = el('tr', {}, el('th', {}, t('page-group')), withCluster ? el('th', { class: 'cluster' }, t('page-cluster')) : null);
    for (const x of snap.exercises) head.append(el('th', { class: 'ex', title: inLang(x.title) }, x.id));
    head.append(el('th', {}, t('page-total')));
    // the extensions: optional columns after the total, with their own
    const exts = snap.extensions || [];
    for (const x of exts) head.append(el('th', { class: 'ex ext', title: inLang(x.title) + ' — ' + t('page-ext-title') }, x.id));
    if (exts.length) head.append(el('th', { class: 'ext' }, t('page-ext-total')));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    const doneBy = snap.exercises.map(() => 0);
    const extDoneBy = exts.map(() => 0);
    const cell = (g, c) => {
      const key = g.group + ' ' + c.id;
      const detail = inLang(c.detail);
      return el('td', {
        class: 'cell ' + c.status + (isFresh(key) ? ' fresh' : ''),
        'data-group': g.group, 'data-ex': c.id, 'data-status': c.status,
        title: t(statusWord[c.status] || 'page-unknown') + ' — ' + detail,
      }, el('span', { class: 'mark' }, marks[c.status] || '·'),
      c.status === 'passed' ? null : el('span', { class: 'reason' }, short ? shortReason(detail) : detail));
    };
    let lastCluster = -1;
    for (const g of snap.groups) {
      const ci = clusterIndex(g.group);
      const cls = [g.error ? 'unreachable' : '', ci !== lastCluster ? 'cluster-start' : ''].join(' ').trim();
      lastCluster = ci;
      const row = el('tr', { 'data-group': g.group, class: cls },
        el('td', { class: 'group c' + (ci % palette.length), title: g.domain }, 'g' + g.group),
        withCluster ? el('td', { class: 'cluster' }, clusterText(g.cluster)) : null);
      if (g.error) {
        // no score: the group has not failed, its server could not be read
        const reason = g.reason ? inLang(g.reason) : g.error;
        row.append(el('td', { class: 'unreachable', colspan: n, 'data-group': g.group, title: g.error },
          el('span', { class: 'what' }, t('page-unreachable')), ' ', el('span', { class: 'reason' }, reason),
          g.reason ? el('span', { class: 'raw' }, g.error) : null));
        row.append(el('td', { class: 'total none', 'data-group': g.group }, '—'));
        if (exts.length) row.append(el('td', { class: 'ext none', colspan: exts.length + 1 }, '—'));
      } else {
        g.cells.forEach((c, i) => {
          if (c.status === 'passed') doneBy[i]++;
          row.append(cell(g, c));
        });
        row.append(el('td', { class: 'total', 'data-group': g.group }, g.passed + '/' + n));
        (g.extension_cells || []).forEach((c, i) => {
          if (c.status === 'passed') extDoneBy[i]++;
          const td = cell(g, c);
          td.classList.add('ext');
          row.append(td);
        });
        if (exts.length) row.append(el('td', { class: 'total ext', 'data-group': g.group }, (g.extensions_passed || 0) + '/' + exts.length));
      }
      body.append(row);
    }
    const foot = el('tr', { class: 'done-by' }, el('td', { colspan: withCluster ? 2 : 1 }, t('page-done-by')));
    for (const d of doneBy) foot.append(el('td', {}, d + '/' + snap.groups.length));
    foot.append(el('td'));
    for (const d of extDoneBy) foot.append(el('td', { class: 'ext' }, d + '/' + snap.groups.length));
    if (exts.length) foot.append(el('td', { class: 'ext' }));
    body.append(foot);
    table.append(body);
  }

  function drawLegend() {
    const box = $('legend');
    clear(box);
    const item = (sym, key, cls) => box.append(el('li', { class: cls || '' }, sym, el('span', {}, t(key))));
    const swatch = (cls, text) => el('span', { class: 'sym ' + cls }, text || '');
    item(swatch('cell passed', '✓'), 'page-legend-passed');
    item(swatch('cell not-passed', '✗'), 'page-legend-not-passed');
    item(swatch('cell unknown', '?'), 'page-legend-unknown');
    item(swatch('cell unreachable', t('page-unreachable')), 'page-legend-unreachable', 'wide');
    item(swatch('cell passed fresh', '✓'), 'page-legend-fresh');
    clusters().forEach((c, i) => {
      box.append(el('li', {}, swatch('node c' + (i % palette.length), 'g'), el('span', {}, t('page-cluster-n', clusterText(c)))));
    });
    item(swatch('node unreachable', 'g'), 'page-legend-node-unreachable');
    item(swatch('line within'), 'page-legend-within');
    item(swatch('line across'), 'page-legend-across');
    item(swatch('line waiting'), 'page-legend-waiting');
    item(swatch('line bounced'), 'page-legend-bounced');
    item(swatch('count', '2 (3)'), 'page-legend-count');
    item(swatch('count', '↻N'), 'page-legend-self');
  }

  // countText is a number of messages, with the recipients in brackets
  // when they are more.
  function countText(messages, recipients) {
    if (messages === undefined || messages === null) return String(recipients);
    return messages === recipients ? String(messages) : messages + ' (' + recipients + ')';
  }

  function drawFlow() {
    const f = snap.flow;
    const n = f.groups.length;
    const msgs = f.messages; // undefined from a server that does not count messages
    const count = (i, j) => countText(msgs ? msgs[i][j] : undefined, f.delivered[i][j]);
    $('flow-note').textContent = t('page-flow-note') + (msgs ? '' : ' ' + t('page-flow-no-messages'));
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
        const cell = el('td', { class: cls, 'data-from': f.groups[i], 'data-to': f.groups[j] }, count(i, j));
        if (f.waiting[i][j]) cell.append(el('span', { class: 'extra' }, t('page-flow-waiting') + ' ' + f.waiting[i][j]));
        if (f.bounced[i][j]) cell.append(el('span', { class: 'extra' }, t('page-flow-bounced') + ' ' + f.bounced[i][j]));
        row.append(cell);
      }
      body.append(row);
    }
    table.append(body);
    drawFlowGraph(count);
  }

  // drawFlowGraph draws the clusters as columns, the groups of a cluster
  // stacked: mail within a cluster (the exercises' pairs) as thick arcs
  // beside the column, mail across clusters as thin lines between them.
  function drawFlowGraph(count) {
    const f = snap.flow;
    const n = f.groups.length;
    const g = $('flow-graph');
    clear(g);
    const cl = clusters();
    // margin: room for the arcs and labels beside the outer columns
    const colW = 200, rowH = 140, r = 36, top = 56, margin = 56;
    const rows = Math.max(1, ...cl.map((c) => c.length));
    const width = cl.length * colW + 2 * margin, height = top + rows * rowH;
    g.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const pos = {}; // group → [x, y]
    const columnOf = {};
    cl.forEach((c, ci) => {
      const x = margin + ci * colW + colW / 2;
      g.append(svg('text', { class: 'cluster-label', x, y: 22 }, t('page-cluster-n', clusterText(c))));
      c.forEach((id, k) => { pos[id] = [x, top + k * rowH + rowH / 2]; columnOf[id] = ci; });
    });
    const defs = svg('defs');
    for (const [id, color, size] of [['arrow', '#1d4ed8', 16], ['arrow-thin', '#64748b', 10],
      ['arrow-waiting', '#d97706', 14], ['arrow-bounced', '#b42318', 14]]) {
      const m = svg('marker', { id, viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: size, markerHeight: size,
        markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
      m.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: color }));
      defs.append(m);
    }
    g.append(defs);
    const edges = svg('g', { class: 'edges' });
    const labels = svg('g', { class: 'labels' });
    g.append(edges, labels);
    const boundary = (p, toward, extra) => {
      const dx = toward[0] - p[0], dy = toward[1] - p[1], len = Math.hypot(dx, dy) || 1;
      return [p[0] + (dx / len) * (r + extra), p[1] + (dy / len) * (r + extra)];
    };
    const edge = (from, to, label, kind) => {
      const a = pos[from], b = pos[to];
      if (!a || !b) return;
      const within = columnOf[from] === columnOf[to];
      let ctrl;
      if (within) {
        // down the column on the right, up it on the left: each pair's two
        // directions apart, and a longer hop further out
        const side = b[1] > a[1] ? 1 : -1;
        ctrl = [a[0] + side * (60 + 0.45 * Math.abs(b[1] - a[1])), (a[1] + b[1]) / 2];
      } else {
        const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy) || 1;
        const bend = 26;
        ctrl = [(a[0] + b[0]) / 2 - (dy / len) * bend, (a[1] + b[1]) / 2 + (dx / len) * bend];
      }
      const s = boundary(a, ctrl, 0), e = boundary(b, ctrl, 3);
      const width = within ? 5 : 2;
      const marker = kind === 'delivered' ? (within ? 'arrow' : 'arrow-thin') : 'arrow-' + kind;
      edges.append(svg('path', {
        class: 'edge ' + kind + (within ? ' within' : ' across'), d: `M ${s[0]} ${s[1]} Q ${ctrl[0]} ${ctrl[1]} ${e[0]} ${e[1]}`,
        'stroke-width': width, 'marker-end': `url(#${marker})`, 'data-from': from, 'data-to': to,
      }));
      const lx = (s[0] + 2 * ctrl[0] + e[0]) / 4, ly = (s[1] + 2 * ctrl[1] + e[1]) / 4;
      labels.append(svg('text', { class: 'label ' + kind + (within ? ' within' : ' across'), x: lx, y: ly, 'data-from': from, 'data-to': to }, label));
    };
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const from = f.groups[i], to = f.groups[j];
        if (f.delivered[i][j]) edge(from, to, count(i, j), 'delivered');
        if (f.waiting[i][j]) edge(from, to, t('page-flow-waiting') + ' ' + f.waiting[i][j], 'waiting');
        if (f.bounced[i][j]) edge(from, to, t('page-flow-bounced') + ' ' + f.bounced[i][j], 'bounced');
      }
    }
    f.groups.forEach((id, i) => {
      const p = pos[id];
      if (!p) return;
      const grp = snap.groups.find((x) => x.group === id);
      const down = grp && grp.error;
      const fill = down ? unreachableFill : palette[columnOf[id] % palette.length];
      const node = svg('g', { class: 'node' + (down ? ' unreachable' : ''), 'data-group': id });
      node.append(svg('circle', { cx: p[0], cy: p[1], r, fill }));
      const self = f.delivered[i][i];
      node.append(svg('text', { x: p[0], y: p[1] - (self ? 8 : 0) }, 'g' + id));
      if (self) {
        const m = f.messages ? f.messages[i][i] : self;
        node.append(svg('text', { class: 'self', x: p[0], y: p[1] + 17 }, '↻' + m));
      }
      g.append(node);
    });
  }

  // probeColumn is a probe's row of the compact grid: the relay probes
  // of a group (relay-g2, relay-g3) are one, as lab grade prints them.
  const probeColumn = (name) => (name.startsWith('relay-') ? 'relay' : name);

  function drawProbes() {
    const section = $('probes-section');
    const probes = snap.probes || [];
    section.hidden = probes.length === 0;
    const table = $('probes');
    const failures = $('probe-failures');
    clear(table);
    clear(failures);
    if (!probes.length) return;
    const names = [];
    const groups = [];
    const cell = {}; // "name group" → status
    for (const p of probes) {
      const name = probeColumn(p.name);
      if (!names.includes(name)) names.push(name);
      if (!groups.includes(p.group)) groups.push(p.group);
      const key = name + ' ' + p.group;
      const was = cell[key];
      if (p.status === 'not-passed' || was === 'not-passed') cell[key] = 'not-passed';
      else if (p.status === 'unknown' || was === 'unknown') cell[key] = 'unknown';
      else cell[key] = 'passed';
    }
    const head = el('tr', {}, el('th', { class: 'probe' }, t('page-probe')));
    for (const g of groups) head.append(el('th', {}, 'g' + g));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (const name of names) {
      const row = el('tr', { 'data-probe': name }, el('th', { class: 'probe', title: name === 'relay' ? t('page-probe-relay') : '' }, name));
      for (const g of groups) {
        const s = cell[name + ' ' + g];
        row.append(el('td', { class: 'cell ' + (s || 'none'), 'data-group': g, 'data-probe': name, 'data-status': s || '' },
          s ? marks[s] : '·'));
      }
      body.append(row);
    }
    table.append(body);
    // what each failed probe expected and got
    const failed = probes.filter((p) => p.status !== 'passed');
    failures.append(el('h3', {}, t('page-probe-failed')));
    if (!failed.length) {
      failures.append(el('p', { class: 'none' }, t('page-probe-none')));
      return;
    }
    const list = el('ul');
    for (const p of failed) {
      list.append(el('li', { 'data-group': p.group, 'data-probe': p.name, title: inLang(p.expect) + ' — ' + inLang(p.got) },
        el('span', { class: 'mark ' + p.status }, marks[p.status] || '·'), ' ',
        el('b', {}, 'g' + p.group + ' ' + p.name), ' ',
        el('span', { class: 'expect' }, t('page-expected') + ': ' + inLang(p.expect)), ' ',
        el('span', { class: 'got' }, t('page-got') + ': ' + inLang(p.got))));
    }
    failures.append(list);
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
          pre.append(el('span', { class: l.dir === 'C' ? 'c' : (l.dir === 'M' ? 'm' : 's') }, (l.dir === 'M' ? '   ' : l.dir + ': ') + l.text), '\n');
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
    drawRecent();
    drawGrid();
    drawLegend();
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
      noteCompletions();
      draw();
      scheduleUnhighlight();
    });
    es.onerror = () => { connected = false; drawStatus(); };
  }

  // setParam keeps a choice in the address, so that a reload keeps it.
  function setParam(name, value) {
    const u = new URL(location.href);
    u.searchParams.set(name, value);
    history.replaceState(null, '', u);
  }

  async function start() {
    const res = await fetch('api/config', { cache: 'no-store' });
    const cfg = await res.json();
    texts = cfg.texts;
    const q = new URLSearchParams(location.search);
    lang = q.get('lang') === 'en' || q.get('lang') === 'ja' ? q.get('lang') : cfg.lang;
    view = q.get('view') === 'projector' || q.get('view') === 'full' ? q.get('view') : '';
    $('lang').addEventListener('click', () => {
      lang = lang === 'ja' ? 'en' : 'ja';
      setParam('lang', lang);
      draw();
    });
    $('view').addEventListener('click', () => {
      view = projector() ? 'full' : 'projector';
      setParam('view', view);
      draw();
    });
    wide.addEventListener('change', draw);
    draw();
    connect();
  }

  start();
})();
