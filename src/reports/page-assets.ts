/**
 * The report page's own script and style sheet, served from /reports/assets/ (the page allows no
 * inline script or style: see the CSP in report-routes.ts). Plain browser JavaScript, no build step:
 * it reads the JSON the server embedded and draws the charts with chart.js (served from
 * node_modules, never a CDN).
 */
export const REPORT_PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var node = document.getElementById('report-data');
  if (!node || typeof Chart === 'undefined') return;
  var data = JSON.parse(node.textContent);
  var palette = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }
  function percent(value) { return (value * 100).toFixed(1) + '%'; }
  function bars(id, labels, values, label, horizontal) {
    draw(id, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: labels.map(function (_, i) { return palette[i % palette.length]; }) }] },
      options: { indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: false } } },
    });
  }

  var funnel = data.funnel;
  bars('chart-funnel', funnel.map(function (s) { return s.label; }), funnel.map(function (s) { return s.value; }), 'Recipients', true);

  var series = data.series;
  var timeLabels = series.times.map(function (t) {
    var d = new Date(t);
    return series.bucket === 'day' ? d.toISOString().slice(0, 10) : d.toISOString().slice(series.bucket === 'hour' ? 5 : 11, 16).replace('T', ' ');
  });
  var dot = series.times.length <= 60 ? 3 : 0;
  draw('chart-timeline', {
    type: 'line',
    data: {
      labels: timeLabels,
      datasets: [
        { label: 'Submitted', data: series.submitted, borderColor: palette[0], backgroundColor: palette[0], tension: 0.2, pointRadius: dot },
        { label: 'Delivered', data: series.delivered, borderColor: palette[1], backgroundColor: palette[1], tension: 0.2, pointRadius: dot },
        { label: 'Clicks', data: series.clicks, borderColor: palette[2], backgroundColor: palette[2], tension: 0.2, pointRadius: dot },
        { label: 'Orders', data: series.conversions, borderColor: palette[3], backgroundColor: palette[3], tension: 0.2, pointRadius: dot },
      ],
    },
    options: { interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true, title: { display: true, text: 'per ' + series.bucket } } } },
  });

  bars('chart-ttd', series.timeToDelivery.labels, series.timeToDelivery.counts, 'Messages', false);

  var intervals = data.intervals;
  if (intervals.length > 0) {
    draw('chart-intervals', {
      type: 'bar',
      data: {
        labels: intervals.map(function (r) { return r.label; }),
        datasets: [
          { label: '95% interval', data: intervals.map(function (r) { return [r.low, r.high]; }), backgroundColor: 'rgba(37, 99, 235, 0.35)', borderColor: palette[0], borderWidth: 1 },
          { type: 'scatter', label: 'Conversion rate', data: intervals.map(function (r) { return { x: r.rate, y: r.label }; }), backgroundColor: palette[3], pointRadius: 5 },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: { x: { min: 0, ticks: { callback: function (v) { return percent(v); } } } },
        plugins: { tooltip: { callbacks: { label: function (ctx) { var r = intervals[ctx.dataIndex]; return r.label + ': ' + percent(r.rate) + ' (' + percent(r.low) + ' to ' + percent(r.high) + ')'; } } } },
      },
    });
  }

  if (data.survey) bars('chart-survey', data.survey.map(function (o) { return o.label; }), data.survey.map(function (o) { return o.count; }), 'Votes', true);
  if (data.excluded.length > 0) bars('chart-excluded', data.excluded.map(function (e) { return e.reason; }), data.excluded.map(function (e) { return e.count; }), 'Excluded', true);
  document.body.setAttribute('data-charts', 'ready');
})();
`;

export const REPORT_PAGE_STYLE = `
:root { color-scheme: light; --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff; --bg: #f3f4f6; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #111827; color: #fff; padding: 16px 24px; display: flex; justify-content: space-between; align-items: baseline; gap: 16px; flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
header a, header span { color: #d1d5db; font-size: 13px; }
main { padding: 20px 24px 40px; max-width: 1280px; margin: 0 auto; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; margin-bottom: 20px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.tile .value { font-size: 22px; font-weight: 600; margin-top: 2px; }
.tile .sub { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
section.card h2 { font-size: 15px; margin: 0 0 10px; }
.chart { position: relative; height: 260px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 5px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
p.note { color: var(--muted); margin: 8px 0 0; }
.empty { color: var(--muted); font-style: italic; }
form.login { max-width: 360px; margin: 80px auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 24px; }
form.login label { display: block; margin-bottom: 6px; color: var(--muted); }
form.login input[type=password] { width: 100%; padding: 8px; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
form.login button { margin-top: 12px; padding: 8px 16px; font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 6px; cursor: pointer; }
.error { color: #b91c1c; }
ul.campaigns { list-style: none; padding: 0; }
ul.campaigns li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin-bottom: 8px; display: flex; justify-content: space-between; }
`;
