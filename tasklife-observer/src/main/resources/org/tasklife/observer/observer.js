// tasklife observer: polls GET /api/snapshot about once a second and updates the rows in place (keyed by
// kernel and id: a row is created once, then only its changed cells are rewritten). The token comes from the
// address's fragment (#token=...), which the browser never sends to the server; every request carries it in
// the X-Tasklife-Token header.
'use strict';

(function () {
  const POLL_MS = 1000;
  const GONE_MS = 15000; // how long the row of something that ended stays, greyed
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const tbody = document.getElementById('rows');
  const statusEl = document.getElementById('status');
  const messageEl = document.getElementById('message');
  const filterEl = document.getElementById('filter');
  const rows = new Map();   // key -> <tr>
  const seen = new Map();   // key -> last node drawn (to keep a greyed row when it goes)
  const gone = new Map();   // key -> {node, at}
  let last = null;          // last snapshot
  let timer = null;

  if (!token) {
    document.getElementById('notoken').hidden = false;
    statusEl.textContent = 'no token';
    statusEl.className = 'error';
    return;
  }

  function api(method, path) {
    return fetch(path, { method: method, headers: { 'X-Tasklife-Token': token }, cache: 'no-store' })
      .then(r => r.json().then(body => ({ ok: r.ok, status: r.status, body: body })));
  }

  function poll() {
    clearTimeout(timer);
    api('GET', '/api/snapshot').then(r => {
      if (!r.ok) {
        throw new Error(r.body.error || ('HTTP ' + r.status));
      }
      last = r.body;
      document.getElementById('source').textContent = 'JVM ' + last.pid;
      draw();
      statusEl.textContent = 'updated ' + new Date().toLocaleTimeString();
      statusEl.className = '';
    }).catch(e => {
      statusEl.textContent = 'error: ' + e.message;
      statusEl.className = 'error';
    }).finally(() => {
      timer = setTimeout(poll, POLL_MS);
    });
  }

  function ms(nanos) {
    return (nanos / 1e6).toFixed(0);
  }

  function age(nanos) {
    const s = nanos / 1e9;
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' m ' + Math.floor(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' m';
  }

  // The rows to draw, in tree order: kernel, its domains (nested), their groups (nested), their tasks.
  function build(snapshot) {
    const out = [];
    const now = Date.now();
    for (const k of snapshot.kernels) {
      const kk = 'k' + k.instanceId;
      out.push({ key: kk, kind: 'kernel', depth: 0, kernel: k.instanceId,
        cells: ['kernel ' + k.name, '#' + k.instanceId, k.liveTasks + ' live tasks',
          k.queuedWaitersInJvm + ' waiting in JVM', '', '', '', ''],
        text: k.name });
      const domains = k.domains.map(d => ({ kind: 'domain', key: kk + '-d' + d.id, v: d }));
      const groups = k.groups.filter(g => g.parentId !== 0).map(g => ({ kind: 'group', key: kk + '-g' + g.id, v: g }));
      const tasks = k.tasks.map(t => ({ kind: 'task', key: kk + '-t' + t.id, v: t }));
      const live = new Set([...domains, ...groups, ...tasks].map(n => n.key));
      for (const [key, g] of gone) {
        if (key.startsWith(kk + '-') && !live.has(key) && now - g.at < GONE_MS) {
          (g.node.kind === 'domain' ? domains : g.node.kind === 'group' ? groups : tasks)
            .push(Object.assign({}, g.node, { gone: true }));
        }
      }
      const domainById = new Map(domains.map(d => [d.v.id, d]));
      const groupById = new Map(groups.map(g => [g.v.id, g]));
      const sub = new Map(), groupsOf = new Map(), tasksOf = new Map();
      const add = (m, id, n) => { if (!m.has(id)) m.set(id, []); m.get(id).push(n); };
      domains.forEach(d => add(sub, d.v.parentId, d));
      groups.forEach(g => add(groupsOf, g.v.parentId, g));
      tasks.forEach(t => add(tasksOf, t.v.groupId, t));
      const byId = (a, b) => a.v.id - b.v.id;

      function node(n, depth, owner) {
        const v = n.v;
        let cells, action = null;
        if (n.kind === 'domain') {
          cells = ['domain ' + v.name, v.id, v.state + (v.status ? ' ' + v.status : ''), '',
            v.parentId === 0 ? 'kernel' : owner, '', v.liveTasks + ' live', ''];
          if (v.parentId !== 0) action = { label: 'stop', path: '/api/stop-domain', cls: 'stop' };
        } else if (n.kind === 'group') {
          cells = ['group ' + v.name, v.id, v.state + (v.status ? ' ' + v.status : ''), '', owner,
            ms(v.cpuNanos), v.liveTasks + ' live', ''];
          action = { label: 'kill group', path: '/api/kill-group', cls: 'kill' };
        } else {
          cells = [v.name, v.id, v.state + (v.killed ? ' killed' : ''), v.waitChannel, owner, ms(v.cpuNanos),
            age(v.ageNanos), ''];
          action = { label: 'kill', path: '/api/kill-task', cls: 'kill' };
        }
        if (n.gone) {
          cells[2] = 'gone';
          action = null;
        }
        const row = { key: n.key, kind: n.kind, depth: depth, kernel: k.instanceId, id: v.id, cells: cells,
          action: action, gone: !!n.gone, state: n.gone ? 'gone' : v.state, killed: !!v.killed, node: n,
          text: cells.slice(0, 5).join(' ').toLowerCase(), children: [] };
        return row;
      }
      function domain(d, depth, owner) {
        const row = node(d, depth, owner);
        const own = 'domain ' + d.v.id + ' ' + d.v.name;
        (groupsOf.get(d.v.id) || []).sort(byId).forEach(g => row.children.push(group(g, depth + 1, own)));
        (sub.get(d.v.id) || []).sort(byId).forEach(c => row.children.push(domain(c, depth + 1, own)));
        return row;
      }
      function group(g, depth, owner) {
        const row = node(g, depth, owner);
        const own = 'group ' + g.v.id + ' ' + g.v.name;
        (tasksOf.get(g.v.id) || []).sort(byId).forEach(t => row.children.push(node(t, depth + 1, own)));
        (groupsOf.get(g.v.id) || []).sort(byId).forEach(c => row.children.push(group(c, depth + 1, own)));
        return row;
      }
      const roots = domains.filter(d => d.v.parentId === 0 || !domainById.has(d.v.parentId)).sort(byId);
      const topGroups = groups.filter(g => !domainById.has(g.v.parentId) && !groupById.has(g.v.parentId));
      const filter = filterEl.value.trim().toLowerCase();
      function flatten(row, ancestorMatched) {
        const self = !filter || ancestorMatched || row.text.includes(filter);
        const start = out.length;
        out.push(row);
        let any = false;
        for (const c of row.children) any = flatten(c, self && !!filter) || any;
        const visible = self || any;
        if (!visible) out.length = start;
        return visible;
      }
      roots.forEach(d => flatten(domain(d, 1, 'kernel'), false));
      topGroups.sort(byId).forEach(g => flatten(group(g, 1, '?'), false));
    }
    return out;
  }

  function draw() {
    const now = Date.now();
    // what was drawn and is no longer in the snapshot: keep it greyed for a while
    const present = new Set();
    for (const k of last.kernels) {
      const kk = 'k' + k.instanceId;
      k.domains.forEach(d => present.add(kk + '-d' + d.id));
      k.groups.forEach(g => present.add(kk + '-g' + g.id));
      k.tasks.forEach(t => present.add(kk + '-t' + t.id));
    }
    for (const [key, n] of seen) {
      if (!present.has(key) && !gone.has(key) && n) gone.set(key, { node: n, at: now });
    }
    for (const [key, g] of gone) {
      if (present.has(key) || now - g.at >= GONE_MS) gone.delete(key);
    }
    const wanted = build(last);
    const keep = new Set();
    let prev = null;
    for (const r of wanted) {
      keep.add(r.key);
      if (r.node && !r.gone) seen.set(r.key, r.node);
      let tr = rows.get(r.key);
      if (!tr) {
        tr = document.createElement('tr');
        tr.id = 'row-' + r.key;
        tr.dataset.kind = r.kind;
        tr.dataset.kernel = r.kernel;
        if (r.id !== undefined) tr.dataset.id = r.id;
        for (let i = 0; i < 8; i++) {
          const td = document.createElement('td');
          td.className = ['c-name', 'c-id', 'c-state', 'c-wait', 'c-owner', 'c-cpu num', 'c-age num', 'c-act'][i];
          tr.appendChild(td);
        }
        tr.cells[0].style.paddingLeft = (0.6 + 1.4 * r.depth) + 'em';
        rows.set(r.key, tr);
      }
      tr.className = r.kind + (r.gone ? ' gone' : '');
      for (let i = 0; i < 7; i++) {
        const text = String(r.cells[i]);
        if (tr.cells[i].textContent !== text) tr.cells[i].textContent = text;
      }
      const stateCls = 'c-state ' + (r.state || '') + (r.killed ? ' killed' : '');
      if (tr.cells[2].className !== stateCls) tr.cells[2].className = stateCls;
      action(tr.cells[7], r);
      const want = prev ? prev.nextSibling : tbody.firstChild;
      if (want !== tr) tbody.insertBefore(tr, want);
      prev = tr;
    }
    for (const [key, tr] of rows) {
      if (!keep.has(key)) {
        tr.remove();
        rows.delete(key);
        if (!gone.has(key)) seen.delete(key);
      }
    }
  }

  function action(td, r) {
    const label = r.action ? r.action.label : '';
    let b = td.firstChild;
    if (!r.action) {
      if (b) b.disabled = true;
      return;
    }
    if (!b || b.textContent !== label) {
      td.textContent = '';
      b = document.createElement('button');
      b.type = 'button';
      b.className = r.action.cls;
      b.textContent = label;
      td.appendChild(b);
    }
    b.disabled = false;
    b.onclick = () => act(r.action.path, r.kernel, r.id, b);
  }

  function act(path, kernel, id, button) {
    button.disabled = true;
    api('POST', path + '?kernel=' + encodeURIComponent(kernel) + '&id=' + encodeURIComponent(id)).then(r => {
      messageEl.textContent = r.ok ? r.body.message : 'refused: ' + (r.body.error || ('HTTP ' + r.status));
    }).catch(e => {
      messageEl.textContent = 'error: ' + e.message;
    }).finally(poll);
  }

  filterEl.addEventListener('input', () => { if (last) draw(); });
  poll();
})();
