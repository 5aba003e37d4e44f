import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSecret, signReportLink } from '../../src/reports/report-auth.js';
import { reportLink } from '../../src/reports/report-link.js';
import { REPORT_CSP, SESSION_COOKIE } from '../../src/reports/report-routes.js';
import type { ReportServer } from '../helpers/report-server.js';
import { REPORT_API_KEY, startReportServer } from '../helpers/report-server.js';

let srv: ReportServer;

beforeAll(async () => {
  srv = await startReportServer({ recipients: 20 });
});

afterAll(async () => {
  await srv.close();
});

const page = (path: string, headers: Record<string, string> = {}) => fetch(`${srv.base}${path}`, { headers, redirect: 'manual' });

describe('report page access', () => {
  it('answers a request without credentials 401 with the login form, and a wrong key again', async () => {
    const res = await page(`/reports/campaigns/${srv.campaignId}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-security-policy')).toBe(REPORT_CSP);
    const html = await res.text();
    expect(html).toContain('<form class="login" method="post" action="/reports/login">');
    expect(html).not.toContain('data-testid="revenue-total"');
    const wrong = await fetch(`${srv.base}/reports/login`, { method: 'POST', body: new URLSearchParams({ key: 'guess-guess-guess', next: '/reports' }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await page('/reports')).status).toBe(401);
  });

  it('signs in with the key: an HttpOnly, SameSite=Strict cookie holding a session token (not the key) opens the pages', async () => {
    const next = `/reports/campaigns/${srv.campaignId}`;
    const login = await fetch(`${srv.base}/reports/login`, { method: 'POST', body: new URLSearchParams({ key: REPORT_API_KEY, next }), redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(next);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/reports; Max-Age=43200; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain(REPORT_API_KEY);
    const session = cookie.split(';')[0] as string;
    const opened = await page(next, { cookie: session });
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('data-testid="revenue-total"');
    expect((await page('/reports', { cookie: session })).status).toBe(200);
    const forged = `${session.slice(0, -3)}${session.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    expect((await page(next, { cookie: forged })).status).toBe(401);
    // A login cannot send the browser off the site.
    const away = await fetch(`${srv.base}/reports/login`, { method: 'POST', body: new URLSearchParams({ key: REPORT_API_KEY, next: '//evil.example/x' }), redirect: 'manual' });
    expect(away.headers.get('location')).toBe('/reports');
  });

  it('opens one campaign with a signed link, and refuses a bad signature, another campaign and an expired link', async () => {
    const link = reportLink(srv.app.config, srv.campaignId, { now: srv.app.clock.now(), ttlHours: 1 });
    const url = new URL(link.url);
    expect(url.pathname).toBe(`/reports/campaigns/${srv.campaignId}`);
    const pathAndQuery = `${url.pathname}${url.search}`;
    expect((await page(pathAndQuery)).status).toBe(200);
    const bad = await page(pathAndQuery.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('signature does not match');
    expect((await page(`/reports/campaigns/other${url.search}`)).status).toBe(403);
    const past = signReportLink(reportSecret(srv.app.config), srv.campaignId, Math.floor(srv.app.clock.now().getTime() / 1000) - 60);
    const expired = await page(`${url.pathname}?exp=${past.exp}&sig=${past.sig}`);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('expired');
    expect((await page(`/reports${url.search}`)).status).toBe(401);
  });

  it('lets scripts use the bearer key, serves chart.js locally, and escapes what campaigns contain', async () => {
    const res = await page(`/reports/campaigns/${srv.campaignId}`, { authorization: `Bearer ${REPORT_API_KEY}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('Весна &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;sale&quot;');
    expect(html).not.toContain('<b>&amp;</b>');
    expect(html).not.toMatch(/<script>(?!<)/);
    const chart = await page('/reports/assets/chart.umd.js');
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toContain('javascript');
    expect((await chart.text()).length).toBeGreaterThan(100_000);
    expect((await page('/reports/campaigns/nope', { authorization: `Bearer ${REPORT_API_KEY}` })).status).toBe(404);
  });
});
