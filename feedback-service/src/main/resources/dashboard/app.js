// Kairos feedback dashboard: asks for the admin key or a marketer account (exchanged for a session
// token by POST /v1/login), keeps the key or token in this tab's session storage and calls the
// feedback API with it. Charts are SVG rendered by the server (names escaped there);
// everything else is built with textContent.
(function () {
  'use strict';
  const KEY = 'kairos.adminKey'; // the admin key, or a marketer session token (mk_…)
  const WHO = 'kairos.user';
  const $ = (id) => document.getElementById(id);

  function key() { return sessionStorage.getItem(KEY); }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({}, options, {
      headers: Object.assign({ 'Authorization': 'Bearer ' + key() }, (options || {}).headers)
    }));
    if (response.status === 401) { signOut('Signed out: the key or session was not accepted. Sign in again.'); throw new Error('unauthorized'); }
    if (!response.ok) {
      let message = response.status + '';
      try { message = (await response.json()).error.message; } catch (e) { /* not JSON */ }
      throw new Error(message);
    }
    return response;
  }

  function period() {
    const to = new Date(Math.ceil(Date.now() / 3600000) * 3600000);
    const from = new Date(to.getTime() - Number($('range').value) * 86400000);
    return 'from=' + encodeURIComponent(from.toISOString().replace('.000', '')) + '&to=' + encodeURIComponent(to.toISOString().replace('.000', ''));
  }

  function query() { return period() + '&groupBy=' + encodeURIComponent($('group-by').value); }

  const pct = (v) => v === null || v === undefined ? '–' : (v * 100).toFixed(1) + ' %';
  const rate = (r) => r.value === null ? '– (n 0)' : pct(r.value) + ' [' + pct(r.low) + '–' + pct(r.high) + '] n ' + r.n;
  const num = (v, digits) => v === null || v === undefined ? '–' : Number(v).toFixed(digits);

  function cell(row, text) { const td = document.createElement('td'); td.textContent = text; row.appendChild(td); return td; }

  function card(name, value, ci) {
    const div = document.createElement('div');
    div.className = 'card';
    for (const [cls, text] of [['name', name], ['value', value], ['ci', ci]]) {
      const span = document.createElement('div'); span.className = cls; span.textContent = text; div.appendChild(span);
    }
    return div;
  }

  async function loadKpis() {
    const q = query();
    $('group-label').textContent = $('group-by').value;
    const [report, ctr, impressions] = await Promise.all([
      api('/v1/kpis?' + q).then((r) => r.json()),
      api('/v1/charts/ctr.svg?' + q + '&interval=' + $('interval').value).then((r) => r.text()),
      api('/v1/charts/impressions.svg?' + q).then((r) => r.text())
    ]);
    $('chart-ctr').innerHTML = ctr;
    $('chart-impressions').innerHTML = impressions;
    const t = report.total;
    const totals = $('totals');
    totals.replaceChildren(
      card('Impressions', String(t.impressions), t.clicks + ' clicks, ' + t.conversions + ' conversions'),
      card('CTR', pct(t.ctr.value), t.ctr.n ? '95 % CI ' + pct(t.ctr.low) + '–' + pct(t.ctr.high) : 'no data'),
      card('Dismiss rate', pct(t.dismissRate.value), 'n ' + t.dismissRate.n),
      card('Micro-conversion', pct(t.microConversionRate.value), 'n ' + t.microConversionRate.n + ' users'),
      card('Friction', pct(t.friction.value), 'n ' + t.friction.n),
      card('Intent AUC', num(t.intentAccuracy.auc, 3), 'precision ' + pct(t.intentAccuracy.precision.value)));
    const body = $('kpi-table').tBodies[0];
    body.replaceChildren();
    for (const g of report.groups) {
      const row = document.createElement('tr');
      cell(row, g.key); cell(row, String(g.impressions)); cell(row, String(g.clicks)); cell(row, rate(g.ctr));
      cell(row, rate(g.dismissRate)); cell(row, rate(g.conversionRate)); cell(row, rate(g.microConversionRate));
      cell(row, rate(g.friction)); cell(row, num(g.intentAccuracy.auc, 3));
      body.appendChild(row);
    }
  }

  async function loadWeights() {
    const [weights, chart] = await Promise.all([
      api('/v1/weights').then((r) => r.json()),
      api('/v1/charts/weights.svg').then((r) => r.text())
    ]);
    $('chart-weights').innerHTML = chart;
    const body = $('weights-table').tBodies[0];
    body.replaceChildren();
    for (const v of weights.versions) {
      const row = document.createElement('tr');
      if (v.version === weights.current) row.className = 'current';
      cell(row, v.version + (v.version === weights.current ? ' (in use)' : ''));
      cell(row, v.status === 'default' ? 'built-in' : v.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'));
      cell(row, v.status); cell(row, num(v.recency, 3)); cell(row, num(v.depth, 3)); cell(row, num(v.conversion, 3));
      cell(row, num(v.holdoutAuc, 3)); cell(row, num(v.baselineAuc, 3)); cell(row, offPolicy(v.offPolicy));
      body.appendChild(row);
    }
  }

  /** A weights version's off-policy estimate: the engagement change in points with its interval, or why there is none. */
  function offPolicy(o) {
    if (!o) return '–';
    if (!o.available) return 'none (' + o.note + ')';
    const pts = (x) => (x >= 0 ? '+' : '') + (x * 100).toFixed(2);
    const text = pts(o.ctrDelta) + ' pts (95 % CI ' + pts(o.ciLow) + ' to ' + pts(o.ciHigh) + ')';
    return o.ciHigh < 0 && o.ciHigh + (o.unsupported || 0) >= 0 ? text + ', inconclusive' : text;
  }

  async function loadLearned() {
    const predictors = await api('/v1/predictors').then((r) => r.json());
    const byVersion = {};
    for (const v of predictors.versions) byVersion[v.version] = v;
    const body = $('predictors-table').tBodies[0];
    body.replaceChildren();
    for (const [kind, label] of [['conversion', 'conversion probability'], ['churn', 'churn risk']]) {
      const version = predictors.inUse[kind];
      const v = version && byVersion[version];
      const row = document.createElement('tr');
      row.dataset.kind = kind;
      cell(row, label);
      cell(row, version || 'not learned yet (a prior)');
      cell(row, v ? num(v.holdoutAuc, 3) : '–'); cell(row, v ? num(v.baselineAuc, 3) : '–');
      cell(row, v ? v.trainingN + ' decisions' : '–');
      body.appendChild(row);
    }
    const segments = $('segments-table').tBodies[0];
    segments.replaceChildren();
    let s;
    try {
      s = await api('/v1/segments').then((r) => r.json());
    } catch (e) {
      if (e.message === 'unauthorized') throw e;
      $('segments-message').textContent = 'No segments learned yet: they are fitted every hour once there are enough users.';
      return;
    }
    $('segments-message').textContent = 'Version ' + s.version + ', ' + s.clusters.length + ' segments.';
    for (const c of s.clusters) {
      const row = document.createElement('tr');
      cell(row, c.name); cell(row, c.label); cell(row, String(c.users));
      segments.appendChild(row);
    }
  }

  const NOT_VARIANTS = ['(no decision yet)', '(none)'];
  const VERDICTS = { control: 'control', better: 'better (significant)', worse: 'worse (significant)',
    no_difference: 'no proven difference', too_few_samples: 'not enough data' };

  async function loadExperiments() {
    const p = period();
    const byVariant = await api('/v1/kpis?' + p + '&groupBy=variant').then((r) => r.json());
    const variants = byVariant.groups.map((g) => g.key).filter((k) => !NOT_VARIANTS.includes(k));
    const select = $('exp-control');
    const previous = select.value;
    select.replaceChildren(...variants.map((v) => { const o = document.createElement('option'); o.value = v; o.textContent = v; return o; }));
    const body = $('experiment-table').tBodies[0];
    body.replaceChildren();
    if (variants.length === 0) { $('exp-message').textContent = 'No experiment traffic in this period.'; return; }
    // Each experiment's variants are compared with its own control: pick a control, see its experiment.
    select.value = variants.includes(previous) ? previous
      : variants.find((v) => v === 'control' || v === 'A' || v.endsWith(':control')) || variants[0];
    const min = Math.max(100, Math.round(Number($('exp-min').value) || 1000));
    const r = await api('/v1/experiments/results?' + p + '&control=' + encodeURIComponent(select.value)
      + '&metric=' + encodeURIComponent($('exp-metric').value) + '&minSamples=' + min).then((x) => x.json());
    $('exp-message').textContent = 'Control ' + r.control + ', metric ' + r.metric + ', at least ' + r.minSamples
      + ' impressions per variant before a verdict.';
    for (const v of r.variants) {
      const row = document.createElement('tr');
      row.dataset.variant = v.variant;
      cell(row, v.variant); cell(row, pct(v.rate.value));
      cell(row, v.rate.value === null ? '–' : pct(v.rate.low) + '–' + pct(v.rate.high));
      cell(row, String(v.rate.n));
      cell(row, v.lift === null ? '–' : (v.lift >= 0 ? '+' : '') + (v.lift * 100).toFixed(1) + ' %');
      cell(row, num(v.p, 3));
      const verdict = cell(row, (VERDICTS[v.verdict] || v.verdict)
        + (v.verdict === 'too_few_samples' ? ' (n < ' + r.minSamples + ')' : ''));
      verdict.className = 'verdict-' + v.verdict;
      body.appendChild(row);
    }
  }

  const CHANGES = {'activate': 'activated', 'canary': 'canary started', 'promote': 'promoted',
    'rollback': 'rolled back', 'auto-rollback': 'rolled back automatically', 'breaker-tripped': 'circuit breaker tripped'};

  const BY = {'breaker': 'the server (circuit breaker)', 'guardrail': 'the server (canary guardrail)'};
  let routing = null; // the routing state as last shown (its revision guards the canary controls)

  async function loadRouting() {
    const r = await api('/v1/rules-routing').then((x) => x.json());
    const body = $('routing-changes').tBodies[0];
    body.replaceChildren();
    if (!r.available) { routing = null; $('routing-now').textContent = 'Routing is not available: ' + r.reason + '.'; return; }
    const g = r.routing;
    routing = g;
    $('routing-now').textContent = 'Active ' + g.active
      + (g.canary ? ', canary ' + g.canary + ' for ' + g.canaryPercent + ' % of users' : ', no canary') + '.';
    $('canary-promote').disabled = !g.canary;
    $('canary-rollback').disabled = !g.canary && !(g.changes || []).length;
    for (const c of [...g.changes].reverse()) {
      const row = document.createElement('tr');
      if (c.by === 'breaker' || c.by === 'guardrail') row.className = 'breaker';
      cell(row, (c.at || '').replace('T', ' ').replace(/\.\d+Z$|Z$/, '')); cell(row, CHANGES[c.action] || c.action);
      cell(row, c.version); cell(row, BY[c.by] || c.by); cell(row, c.reason || '');
      body.appendChild(row);
    }
  }

  async function loadRulesVersions() {
    const r = await api('/v1/rules-versions?' + period()).then((x) => x.json());
    const versions = $('versions-table').tBodies[0];
    versions.replaceChildren();
    const choice = $('canary-version');
    const chosen = choice.value;
    choice.replaceChildren();
    for (const v of r.versions) {
      const row = document.createElement('tr');
      row.dataset.version = v.rulesVersion;
      if (v.status === 'canary') row.className = 'canary';
      cell(row, v.rulesVersion); cell(row, String(v.decisions)); cell(row, String(v.canaryDecisions));
      cell(row, v.firstDay || '–'); cell(row, v.lastDay || '–');
      cell(row, STATUSES[v.status] || v.status).className = 'status-' + v.status;
      const view = document.createElement('button');
      view.type = 'button'; view.textContent = 'view'; view.className = 'view-pack';
      view.addEventListener('click', () => showPack(v.rulesVersion, r.versions.map((x) => x.rulesVersion)));
      row.appendChild(document.createElement('td')).appendChild(view);
      versions.appendChild(row);
      if (v.status !== 'active' && v.status !== 'unknown') {
        const option = document.createElement('option'); option.value = v.rulesVersion; option.textContent = v.rulesVersion; choice.appendChild(option);
      }
    }
    if ([...choice.options].some((o) => o.value === chosen)) choice.value = chosen;
    const days = $('versions-days').tBodies[0];
    days.replaceChildren();
    for (const d of r.days) {
      const row = document.createElement('tr');
      if (d.canary) row.className = 'canary';
      cell(row, d.day); cell(row, d.rulesVersion); cell(row, d.canary ? 'canary' : 'stable'); cell(row, String(d.decisions));
      days.appendChild(row);
    }
  }

  const STATUSES = {'active': 'active', 'canary': 'in canary', 'previous': 'previous (roll-back target)', 'inactive': 'not serving',
    'unknown': 'unknown (rules-server not reachable)'};

  // The pack of one version as text, or its unified diff against another, coloured line by line.
  async function showPack(version, all) {
    $('pack-view').hidden = false;
    $('replay-result').replaceChildren();
    delete $('replay-result').dataset.result;
    $('pack-version').textContent = version;
    const compare = $('pack-compare');
    compare.dataset.version = version;
    const previous = compare.value;
    compare.replaceChildren(new Option('(show the files)', ''));
    for (const other of all) if (other !== version) compare.appendChild(new Option('diff ' + other + ' → ' + version, other));
    compare.value = [...compare.options].some((o) => o.value === previous) ? previous : '';
    await renderPack();
  }

  async function renderPack() {
    const version = $('pack-compare').dataset.version;
    const against = $('pack-compare').value;
    const pre = $('pack-text');
    pre.replaceChildren();
    const line = (text, cls) => { const span = document.createElement('span'); span.textContent = text; if (cls) span.className = cls; pre.appendChild(span); if (!cls) pre.appendChild(document.createTextNode('\n')); };
    if (!against) {
      const v = await api('/v1/rules-versions/' + encodeURIComponent(version) + '/files').then((x) => x.json());
      for (const [name, text] of Object.entries(v.files)) { line('// ' + name, 'file'); line(text); }
    } else {
      const d = await api('/v1/rules-versions/diff?from=' + encodeURIComponent(against) + '&to=' + encodeURIComponent(version)).then((x) => x.json());
      if (!d.files.length) line('no differences between ' + against + ' and ' + version);
      for (const f of d.files) {
        for (const l of f.diff.split('\n')) {
          line(l, l.startsWith('+++') || l.startsWith('---') ? 'file' : l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx');
        }
      }
    }
    pre.dataset.shown = version + (against ? ' vs ' + against : '');
  }

  // Replay: the version on the period's recorded decisions (rules-server evaluates it, the feedback service holds the facts).
  async function replay() {
    const version = $('pack-compare').dataset.version;
    const box = $('replay-result');
    box.replaceChildren(document.createTextNode('replaying ' + version + '…'));
    const p = new URLSearchParams(period());
    let r;
    try {
      r = await api('/v1/rules-versions/' + encodeURIComponent(version) + '/replay', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: p.get('from'), to: p.get('to'), examples: 5 }) }).then((x) => x.json());
    } catch (e) {
      if (e.message !== 'unauthorized') box.textContent = 'replay failed: ' + e.message;
      return;
    }
    box.replaceChildren();
    const para = (text, cls) => { const el = document.createElement('p'); el.textContent = text; if (cls) el.className = cls; box.appendChild(el); return el; };
    para(version + ': ' + r.replayed + ' recorded decisions replayed, ' + r.changed + ' change ('
      + (r.replayed ? (100 * r.changed / r.replayed).toFixed(1) : '0.0') + ' %).', 'replay-summary');
    const table = document.createElement('table'); table.id = 'replay-placements';
    const head = table.createTHead().insertRow();
    for (const h of ['Placement', 'Replayed', 'Changed']) { const th = document.createElement('th'); th.textContent = h; head.appendChild(th); }
    const body = table.createTBody();
    for (const [name, c] of Object.entries(r.placements)) { const row = body.insertRow(); cell(row, name); cell(row, String(c.units)); cell(row, String(c.changed)); }
    box.appendChild(table);
    for (const [t, n] of Object.entries(r.transitions).sort((a, b) => b[1] - a[1]).slice(0, 10)) para(n + ' × ' + t, 'replay-transition');
    for (const x of r.examples) {
      para('decision ' + x.decisionId + ', ' + x.placement + ': logged "' + x.loggedRule + '" showed ' + x.loggedContent
        + (x.loggedEngaged ? ' (engaged)' : '') + '; candidate "' + x.candidateRule + '" shows ' + x.candidateContent + ' (' + x.candidateWhy + ')', 'replay-example');
    }
    const pp = (v) => (v >= 0 ? '+' : '') + (v * 100).toFixed(2);
    para('Estimated CTR change (inverse propensity scoring): ' + pp(r.estCtrDelta) + ' pp, 95 % CI [' + pp(r.ciLow) + ', ' + pp(r.ciHigh)
      + '] over ' + r.shown + ' shown placements (logged CTR ' + (r.loggedCtr * 100).toFixed(2) + ' %).', 'replay-estimate');
    if (r.shown > 0 && r.overlap < 0.9) {
      para('Low overlap: the candidate keeps what was shown for only ' + (r.overlap * 100).toFixed(1) + ' % of the shown placements; the rest has no '
        + 'exploration data and counts as no engagement, so the estimate is a pessimistic bound. Canary the candidate to measure it.', 'replay-warning');
    }
    box.dataset.result = r.result;
  }

  // Canary controls: each asks for confirmation, sends the revision shown (a change made meanwhile is refused, not overwritten) and reloads.
  async function routingChange(action, body, question) {
    if (!window.confirm(question)) return;
    $('canary-result').textContent = 'working…';
    try {
      const payload = Object.assign({}, body, routing ? { expectedRevision: routing.revision } : {});
      await api('/v1/rules-routing/' + action, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
      $('canary-result').textContent = 'done: ' + action;
    } catch (e) {
      if (e.message !== 'unauthorized') $('canary-result').textContent = 'refused: ' + e.message;
    }
    await refresh();
  }

  async function loadRuleActivity() {
    const r = await api('/v1/rule-activity?' + period()).then((x) => x.json());
    const body = $('activity-table').tBodies[0];
    body.replaceChildren();
    if (!r.available) { $('activity-message').textContent = 'The rule list is not available: ' + r.reason + '.'; return; }
    const silent = r.rules.filter((x) => x.silent).length;
    $('activity-message').textContent = r.rules.length + ' rules in the serving versions ('
      + Object.entries(r.versions).map(([status, id]) => status + ' ' + id).join(', ') + '); ' + silent + ' never fired in this period.';
    for (const x of r.rules) {
      const row = document.createElement('tr');
      if (x.silent) row.className = 'silent';
      cell(row, x.rule); cell(row, x.versions.join(', ')); cell(row, String(x.matched)); cell(row, String(x.won));
      cell(row, (x.perVersion || []).map((p) => p.version + ': ' + p.matched + ' / ' + p.won).join(', ') || '–');
      cell(row, x.silent ? 'never fired' : x.won === 0 ? 'matched, never won' : 'fires');
      body.appendChild(row);
    }
  }

  async function refresh() {
    $('error').textContent = '';
    try {
      await Promise.all([loadKpis(), loadWeights(), loadExperiments(), loadRouting(), loadRulesVersions(), loadRuleActivity(), loadLearned()]);
      document.body.dataset.loaded = String(Date.now());
    } catch (e) {
      if (e.message !== 'unauthorized') $('error').textContent = 'Could not load: ' + e.message;
    }
  }

  // Bumped by every sign-out: a sign-in still waiting for the server when the user signs out must
  // not store its key again (and open the dashboard) once its answer arrives.
  let signOuts = 0;

  function signOut(message) {
    signOuts++;
    if (key() && key().startsWith('mk_')) fetch('/v1/logout', { method: 'POST', headers: { 'Authorization': 'Bearer ' + key() } });
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(WHO);
    $('who').textContent = '';
    $('dashboard').hidden = true;
    $('logout').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
  }

  async function marketerSignIn(username, password) {
    const response = await fetch('/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: username, password: password }) });
    if (response.status === 429) {
      const minutes = Math.max(1, Math.ceil(Number(response.headers.get('Retry-After') || 60) / 60));
      $('login-error').textContent = 'Too many failed sign-ins. Try again in ' + minutes + (minutes === 1 ? ' minute.' : ' minutes.');
      return;
    }
    if (!response.ok) { $('login-error').textContent = 'Unknown user name or wrong password.'; return; }
    const session = await response.json();
    sessionStorage.setItem(WHO, session.username);
    await signIn(session.token);
  }

  async function signIn(candidate) {
    const started = signOuts;
    const response = await fetch('/v1/weights', { headers: { 'Authorization': 'Bearer ' + candidate } });
    if (started !== signOuts) return;
    if (response.status === 401) { $('login-error').textContent = 'That key was not accepted. Use the admin key.'; return; }
    sessionStorage.setItem(KEY, candidate);
    const marketer = candidate.startsWith('mk_');
    $('who').textContent = marketer ? (sessionStorage.getItem(WHO) || 'marketer') + ' (read-only)' : 'admin';
    $('recalibrate').hidden = marketer;
    $('canary-controls').hidden = marketer;
    $('replay-start').hidden = marketer;
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('logout').hidden = false;
    await refresh();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', (e) => { e.preventDefault(); signIn($('admin-key').value.trim()); $('admin-key').value = ''; });
    $('marketer-form').addEventListener('submit', (e) => {
      e.preventDefault();
      marketerSignIn($('marketer-user').value.trim(), $('marketer-password').value);
      $('marketer-password').value = '';
    });
    $('logout').addEventListener('click', () => signOut());
    for (const id of ['group-by', 'range', 'interval']) $(id).addEventListener('change', refresh);
    $('experiment-form').addEventListener('submit', (e) => e.preventDefault());
    for (const id of ['exp-control', 'exp-metric', 'exp-min']) {
      $(id).addEventListener('change', () => loadExperiments().then(() => { document.body.dataset.loaded = String(Date.now()); })
        .catch((e) => { if (e.message !== 'unauthorized') $('error').textContent = 'Could not load: ' + e.message; }));
    }
    $('recalibrate').addEventListener('click', async () => {
      $('recalibrate-result').textContent = 'running…';
      try {
        const r = await (await api('/v1/recalibrate', { method: 'POST' })).json();
        $('recalibrate-result').textContent = r.status + ': ' + r.reason;
        await loadWeights();
      } catch (e) {
        if (e.message !== 'unauthorized') $('recalibrate-result').textContent = 'failed: ' + e.message;
      }
    });
    $('replay-start').addEventListener('click', () => replay());
    $('pack-compare').addEventListener('change', () => renderPack().catch((e) => { if (e.message !== 'unauthorized') $('error').textContent = 'Could not load: ' + e.message; }));
    $('canary-start').addEventListener('click', () => {
      const version = $('canary-version').value;
      const percent = Number($('canary-percent').value);
      if (!version) { $('canary-result').textContent = 'choose a version first'; return; }
      const running = routing && routing.canary === version;
      const body = { version: version, percent: percent };
      const metrics = Array.from(document.querySelectorAll('.guardrail-metric')).filter((c) => c.checked).map((c) => c.value);
      if (!running) {
        if (metrics.length === 0) { $('canary-result').textContent = 'choose at least one guardrail'; return; }
        const guardrails = { metrics: metrics };
        if ($('guardrail-min').value) guardrails.minShown = Number($('guardrail-min').value);
        body.guardrails = guardrails;
      }
      routingChange('canary', body,
        running ? 'Change the canary ' + version + ' to ' + percent + ' % of users?'
          : 'Start ' + version + ' as a canary for ' + percent + ' % of users, rolled back automatically when worse on ' + metrics.join(', ') + '?');
    });
    $('canary-promote').addEventListener('click', () => routingChange('promote', {},
      'Promote the canary ' + (routing && routing.canary) + ' to serve every user?'));
    $('canary-rollback').addEventListener('click', () => routingChange('rollback', {},
      routing && routing.canary ? 'End the canary ' + routing.canary + '? Its users go back to ' + routing.active + '.'
        : 'Roll back ' + (routing && routing.active) + ' to the previous active version?'));
    if (key()) signIn(key());
  });
})();
