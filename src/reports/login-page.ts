import { esc, pageShell } from './html.js';

/** Where a login may send the browser back to: a report page of this service, nothing else. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/reports(\/[\w\-./%]*)?$/.test(next) && !next.includes('//') ? next : '/reports';
}

/** The login form: the API key posted once, answered with a session cookie (never the key itself). */
export function renderLoginPage(options: { next: string; message?: string }): string {
  return pageShell('sms-bridge reports — sign in', `<form class="login" method="post" action="/reports/login">` +
    `<h1>Campaign reports</h1>${options.message ? `<p class="error" data-testid="login-message">${esc(options.message)}</p>` : ''}` +
    `<label for="key">API key</label><input id="key" name="key" type="password" autocomplete="current-password" required>` +
    `<input type="hidden" name="next" value="${esc(safeNext(options.next))}"><button type="submit">Sign in</button>` +
    `<p class="note">Or open a link from <code>smsbridge campaign report &lt;id&gt; --link</code>.</p></form>`);
}

/** The index: every operator campaign, newest first, each linking to its page. */
export function renderIndexPage(campaigns: ReadonlyArray<{ id: string; name: string; status: string; createdAt: string }>): string {
  const items = campaigns.map((c) => `<li><a href="/reports/campaigns/${encodeURIComponent(c.id)}" data-testid="campaign-link">${esc(c.name)}</a>` +
    `<span>${esc(c.status)} · ${esc(c.createdAt.slice(0, 16).replace('T', ' '))}</span></li>`).join('');
  return pageShell('sms-bridge campaign reports', `<header><h1>Campaign reports</h1><form method="post" action="/reports/logout"><button type="submit">Sign out</button></form></header>` +
    `<main>${items ? `<ul class="campaigns">${items}</ul>` : '<p class="empty">No campaigns yet.</p>'}</main>`);
}
