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
      cell(row, num(v.holdoutAuc, 3)); cell(row, num(v.baselineAuc, 3));
      body.appendChild(row);
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

  async function loadRouting() {
    const r = await api('/v1/rules-routing').then((x) => x.json());
    const body = $('routing-changes').tBodies[0];
    body.replaceChildren();
    if (!r.available) { $('routing-now').textContent = 'Routing is not available: ' + r.reason + '.'; return; }
    const g = r.routing;
    $('routing-now').textContent = 'Active ' + g.active
      + (g.canary ? ', canary ' + g.canary + ' for ' + g.canaryPercent + ' % of users' : ', no canary') + '.';
    for (const c of [...g.changes].reverse()) {
      const row = document.createElement('tr');
      if (c.by === 'breaker') row.className = 'breaker';
      cell(row, (c.at || '').replace('T', ' ').replace(/\.\d+Z$|Z$/, '')); cell(row, CHANGES[c.action] || c.action);
      cell(row, c.version); cell(row, c.by === 'breaker' ? 'the server (circuit breaker)' : c.by); cell(row, c.reason || '');
      body.appendChild(row);
    }
  }

  async function loadRulesVersions() {
    const r = await api('/v1/rules-versions?' + period()).then((x) => x.json());
    const versions = $('versions-table').tBodies[0];
    versions.replaceChildren();
    for (const v of r.versions) {
      const row = document.createElement('tr');
      if (v.canary) row.className = 'canary';
      cell(row, v.rulesVersion); cell(row, String(v.decisions)); cell(row, String(v.canaryDecisions));
      cell(row, v.firstDay); cell(row, v.lastDay); cell(row, v.canary ? 'in canary' : 'stable');
      versions.appendChild(row);
    }
    const days = $('versions-days').tBodies[0];
    days.replaceChildren();
    for (const d of r.days) {
      const row = document.createElement('tr');
      if (d.canary) row.className = 'canary';
      cell(row, d.day); cell(row, d.rulesVersion); cell(row, d.canary ? 'canary' : 'stable'); cell(row, String(d.decisions));
      days.appendChild(row);
    }
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
      cell(row, x.silent ? 'never fired' : x.won === 0 ? 'matched, never won' : 'fires');
      body.appendChild(row);
    }
  }

  async function refresh() {
    $('error').textContent = '';
    try {
      await Promise.all([loadKpis(), loadWeights(), loadExperiments(), loadRouting(), loadRulesVersions(), loadRuleActivity()]);
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
    if (key()) signIn(key());
  });
})();
