// Herald's read-only dashboard. It holds no data of its own: every figure comes from /api with the
// credentials the user typed in, so the API's login and roles apply unchanged. Everything shown is
// put into the page as text (textContent, attributes, SVG text nodes), never parsed as HTML.
'use strict';

(function () {
  const AUTH_KEY = 'herald.authorization';
  const USER_KEY = 'herald.user';
  const REPORT = '/api/reports/bulk-whatsapp-status';
  const RUNNING_STATUSES = ['Queued', 'In Progress', 'Paused'];
  const POLL_MS = 2000;
  const CHART_CAMPAIGNS = 20;
  const SERIES = ['sent', 'delivered', 'read', 'failed'];
  const COUNT_COLUMNS = ['total', 'sent', 'delivered', 'read', 'failed', 'queued', 'cancelled', 'unconfirmed'];
  const SVG = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);
  const numbers = new Intl.NumberFormat();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  // Campaigns shown as running, by name; a finished one keeps its last bar until the next Apply.
  const running = new Map();
  let pollTimer = null;

  class SignedOut extends Error {}

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value == null ? '' : String(value);
    if (className) {
      node.className = className;
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function percent(value) {
    return (Number(value) || 0).toFixed(1) + ' %';
  }

  function when(instant) {
    return instant ? new Date(instant).toLocaleString() : '';
  }

  function basic(user, password) {
    const bytes = new TextEncoder().encode(user + ':' + password);
    let binary = '';
    bytes.forEach((b) => { binary += String.fromCharCode(b); });
    return 'Basic ' + btoa(binary);
  }

  // credentials 'omit': the browser adds nothing of its own and never opens its own login dialog
  // when Herald answers 401; the page shows its login form instead.
  async function api(path) {
    const authorization = sessionStorage.getItem(AUTH_KEY);
    if (!authorization) {
      throw new SignedOut();
    }
    const response = await fetch(path, {
      headers: { Authorization: authorization, Accept: 'application/json, text/csv' },
      credentials: 'omit',
      cache: 'no-store'
    });
    if (response.status === 401) {
      signOut('Signed out: the user name or password is no longer accepted.');
      throw new SignedOut();
    }
    if (!response.ok) {
      let message = response.status + ' ' + response.statusText;
      try {
        message = (await response.json()).error.message || message;
      } catch (e) {
        // not Herald's JSON error shape: the status line says enough
      }
      throw new Error(message);
    }
    return response;
  }

  function reportQuery(extra) {
    const params = new URLSearchParams();
    const from = $('filter-from').value;
    const to = $('filter-to').value;
    const status = $('filter-status').value;
    const account = $('filter-account').value;
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    if (status) params.set('status', status);
    if (account) params.set('accountId', account);
    params.set('sandbox', $('filter-sandbox').value);
    params.set('tz', zone);
    Object.entries(extra || {}).forEach(([k, v]) => params.set(k, v));
    return REPORT + '?' + params.toString();
  }

  // ---- sign in and out ----

  function showLogin(message) {
    $('dashboard').hidden = true;
    $('signed-in').hidden = true;
    $('login-form').hidden = false;
    $('login-error').textContent = message || '';
    $('login-user').focus();
  }

  function signOut(message) {
    sessionStorage.removeItem(AUTH_KEY);
    sessionStorage.removeItem(USER_KEY);
    stopPolling();
    showLogin(message);
  }

  async function signIn(event) {
    event.preventDefault();
    const user = $('login-user').value.trim();
    const password = $('login-password').value;
    $('login-password').value = '';
    sessionStorage.setItem(AUTH_KEY, basic(user, password));
    sessionStorage.setItem(USER_KEY, user);
    try {
      await start();
    } catch (e) {
      if (!(e instanceof SignedOut)) {
        $('login-error').textContent = e.message;
      }
    }
  }

  async function start() {
    // The account list doubles as the credentials check: any role may read it.
    const accounts = await (await api('/api/accounts')).json();
    $('login-form').hidden = true;
    $('login-error').textContent = '';
    $('dashboard').hidden = false;
    $('signed-in').hidden = false;
    $('user-name').textContent = sessionStorage.getItem(USER_KEY);
    fillAccounts(accounts);
    await loadReport();
  }

  function fillAccounts(accounts) {
    const select = $('filter-account');
    const chosen = select.value;
    while (select.options.length > 1) {
      select.remove(1);
    }
    accounts.forEach((a) => {
      const option = text('option', a.name);
      option.value = String(a.id);
      select.appendChild(option);
    });
    select.value = chosen;
    // Herald in sandbox mode with no real account yet: its only campaigns are sandbox ones.
    if (!accounts.some((a) => !a.sandbox)) {
      const sandbox = $('filter-sandbox');
      sandbox.options[1].defaultSelected = true;
      sandbox.value = 'true';
    }
  }

  // ---- the report ----

  async function loadReport() {
    $('report-error').textContent = '';
    $('report-table').setAttribute('aria-busy', 'true');
    try {
      const report = await (await api(reportQuery())).json();
      renderTable(report);
      renderChart(report.rows);
      running.clear();
      clear($('running-list'));
      await pollRunning();
    } catch (e) {
      if (!(e instanceof SignedOut)) {
        $('report-error').textContent = 'The report could not be loaded: ' + e.message;
      }
    } finally {
      $('report-table').setAttribute('aria-busy', 'false');
    }
  }

  function renderTable(report) {
    const body = $('report-rows');
    clear(body);
    report.rows.forEach((row) => {
      const tr = document.createElement('tr');
      tr.dataset.campaign = row.name;
      const name = text('td', row.name);
      if (row.sandbox) {
        tr.classList.add('sandbox');
        name.appendChild(text('span', 'sandbox', 'tag'));
      }
      tr.appendChild(name);
      tr.appendChild(text('td', row.title, 'title'));
      tr.appendChild(text('td', when(row.createdAt)));
      tr.appendChild(text('td', row.account));
      tr.appendChild(text('td', row.template ? row.template + ' (' + row.templateLanguage + ')' : ''));
      tr.appendChild(text('td', row.status));
      appendCounts(tr, row);
      body.appendChild(tr);
    });
    const foot = $('report-totals');
    clear(foot);
    const tr = document.createElement('tr');
    tr.id = 'totals-row';
    const label = text('td', 'Total: ' + numbers.format(report.totals.campaigns)
      + (report.filters.sandbox ? ' sandbox campaigns' : ' campaigns'));
    label.colSpan = 6;
    tr.appendChild(label);
    appendCounts(tr, report.totals);
    foot.appendChild(tr);
    $('report-summary').textContent = '(' + numbers.format(report.rows.length) + ', newest first)';
  }

  function appendCounts(tr, counts) {
    COUNT_COLUMNS.forEach((column) => {
      const td = text('td', numbers.format(counts[column]), 'num');
      td.dataset.col = column;
      tr.appendChild(td);
    });
    const done = text('td', percent(counts.completionPercent), 'num');
    done.dataset.col = 'completion';
    tr.appendChild(done);
  }

  // ---- the chart: a group of four columns per campaign, drawn as SVG ----

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, String(v)));
    return node;
  }

  function svgText(attributes, value, className) {
    const node = svg('text', attributes);
    if (className) {
      node.setAttribute('class', className);
    }
    node.textContent = value;
    return node;
  }

  // A round axis maximum (1, 2 or 5 times a power of ten) at or above the largest value.
  function axisMax(value) {
    const power = Math.pow(10, Math.floor(Math.log10(Math.max(1, value))));
    return [1, 2, 5, 10].map((f) => f * power).find((m) => m >= value);
  }

  function renderChart(rows) {
    const chart = $('chart');
    clear(chart);
    const shown = rows.slice(0, CHART_CAMPAIGNS);
    $('chart-note').textContent = rows.length > shown.length
      ? 'The ' + shown.length + ' newest of ' + numbers.format(rows.length) + ' campaigns.'
      : '';
    if (shown.length === 0) {
      chart.appendChild(text('p', 'No campaign matches the filters.', 'hint'));
      return;
    }
    const width = 1000;
    const left = 60;
    const top = 10;
    const plotHeight = 220;
    const labelSpace = 90;
    const max = axisMax(Math.max(...shown.map((r) => Math.max(r.sent, r.failed))));
    const groupWidth = (width - left) / shown.length;
    const columnWidth = Math.min(18, (groupWidth * 0.8) / SERIES.length);
    const y = (value) => top + plotHeight - (value / max) * plotHeight;

    const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + (top + plotHeight + labelSpace), role: 'img' });
    root.appendChild(svg('title')).textContent = 'Sent, delivered, read and failed messages per campaign';
    // Whole-number ticks: 0-50 in tens, 0-20 in fives, 0-100 in twenties.
    const ticks = String(max).charAt(0) === '2' ? 4 : 5;
    for (let i = 0; i <= ticks; i++) {
      const value = (max * i) / ticks;
      root.appendChild(svg('line', { x1: left, x2: width, y1: y(value), y2: y(value), class: 'grid' }));
      root.appendChild(svgText({ x: left - 6, y: y(value), 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        numbers.format(value), 'value'));
    }
    shown.forEach((row, i) => {
      const x0 = left + i * groupWidth + (groupWidth - columnWidth * SERIES.length) / 2;
      const group = svg('g', { 'data-campaign': row.name });
      group.appendChild(svg('title')).textContent = row.name + ' — ' + row.title;
      SERIES.forEach((series, j) => {
        const column = svg('rect', {
          x: x0 + j * columnWidth, y: y(row[series]), width: columnWidth - 1,
          height: Math.max(0, top + plotHeight - y(row[series])), class: series
        });
        column.appendChild(svg('title')).textContent = row.name + ' ' + series + ': ' + numbers.format(row[series]);
        group.appendChild(column);
      });
      const labelX = left + (i + 0.5) * groupWidth;
      const labelY = top + plotHeight + 12;
      group.appendChild(svgText({
        x: labelX, y: labelY, 'text-anchor': 'end', transform: 'rotate(-35 ' + labelX + ' ' + labelY + ')'
      }, row.name));
      root.appendChild(group);
    });
    chart.appendChild(root);
    const legend = text('div', '', 'legend');
    SERIES.forEach((series) => {
      const item = document.createElement('span');
      item.appendChild(text('span', '', 'swatch ' + series));
      item.appendChild(document.createTextNode(series));
      legend.appendChild(item);
    });
    chart.appendChild(legend);
  }

  // ---- running campaigns: progress bars that follow the campaigns as they send ----

  function bar(name) {
    let entry = running.get(name);
    if (!entry) {
      const li = document.createElement('li');
      li.dataset.campaign = name;
      const label = text('div', name, 'label');
      const detail = text('small', '');
      label.appendChild(detail);
      const track = text('div', '', 'bar');
      track.setAttribute('role', 'progressbar');
      track.setAttribute('aria-valuemin', '0');
      track.setAttribute('aria-valuemax', '100');
      track.setAttribute('aria-label', 'Completion of ' + name);
      const fill = text('div', '', 'fill');
      track.appendChild(fill);
      const value = text('div', '', 'num');
      li.append(label, track, value);
      $('running-list').appendChild(li);
      entry = { li, detail, track, fill, value, finished: false };
      running.set(name, entry);
    }
    return entry;
  }

  function showProgress(name, title, status, counts, finished) {
    const entry = bar(name);
    const done = Number(counts.completionPercent) || 0;
    entry.detail.textContent = (title ? title + ' · ' : '') + status + ' · ' + numbers.format(counts.sent)
      + ' sent, ' + numbers.format(counts.failed) + ' failed of ' + numbers.format(counts.total != null ? counts.total : counts.recipientCount);
    entry.track.setAttribute('aria-valuenow', String(done));
    entry.fill.style.width = Math.min(100, done) + '%';
    entry.value.textContent = percent(done);
    entry.finished = finished;
    entry.li.classList.toggle('finished', finished);
    entry.li.dataset.status = status;
  }

  async function pollRunning() {
    const report = await (await api(REPORT + '?' + new URLSearchParams({
      status: RUNNING_STATUSES.join(','), sandbox: $('filter-sandbox').value, tz: zone
    }).toString())).json();
    const seen = new Set();
    report.rows.forEach((row) => {
      seen.add(row.name);
      showProgress(row.name, row.title, row.status, row, false);
    });
    // A campaign that stopped running is read once more for its final count, then left as it is.
    for (const [name, entry] of running) {
      if (!seen.has(name) && !entry.finished) {
        const progress = await (await api('/api/campaigns/' + encodeURIComponent(name) + '/progress')).json();
        showProgress(name, null, progress.status, progress, true);
      }
    }
    if (running.size === 0) {
      const li = text('li', 'No campaign is running.', 'empty');
      li.id = 'running-empty';
      $('running-list').appendChild(li);
    } else if ($('running-empty')) {
      $('running-empty').remove();
    }
    schedulePoll();
  }

  function schedulePoll() {
    stopPolling();
    pollTimer = setTimeout(() => {
      pollRunning().catch((e) => {
        if (!(e instanceof SignedOut)) {
          $('report-error').textContent = 'Running campaigns could not be refreshed: ' + e.message;
          schedulePoll();
        }
      });
    }, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer) {
      clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  // ---- the CSV download: fetched with the same credentials, handed to the browser as a file ----

  async function downloadCsv() {
    $('report-error').textContent = '';
    try {
      const response = await api(reportQuery({ format: 'csv' }));
      const disposition = response.headers.get('Content-Disposition') || '';
      const match = /filename="([^"]+)"/.exec(disposition);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = match ? match[1] : 'bulk-whatsapp-status.csv';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      if (!(e instanceof SignedOut)) {
        $('report-error').textContent = 'The CSV could not be downloaded: ' + e.message;
      }
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => signOut('Signed out.'));
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault();
      loadReport();
    });
    $('reset-filters').addEventListener('click', () => {
      $('filters').reset();
      loadReport();
    });
    $('download-csv').addEventListener('click', downloadCsv);
    if (sessionStorage.getItem(AUTH_KEY)) {
      start().catch((e) => {
        if (!(e instanceof SignedOut)) {
          showLogin(e.message);
        }
      });
    } else {
      showLogin();
    }
  });
}());
