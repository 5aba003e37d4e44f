/** HTML escaping for server-rendered pages: every value that reaches markup goes through one of these. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON for a `<script type="application/json">` block: no `</script>`, no HTML comment, no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A page shell: the style sheet and (optionally) the chart scripts, all from /reports/assets. */
export function pageShell(title: string, body: string, options: { charts?: boolean } = {}): string {
  const scripts = options.charts ? '<script src="/reports/assets/chart.umd.js"></script><script src="/reports/assets/report.js"></script>' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${esc(title)}</title><link rel="stylesheet" href="/reports/assets/report.css"></head>` +
    `<body>${body}${scripts}</body></html>`;
}
