import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { AppContext } from '../app.js';
import { AppError } from '../common/errors.js';
import { listCampaigns } from '../campaigns/campaign-list.js';
import { renderIndexPage, renderLoginPage, safeNext } from './login-page.js';
import { reportWithOutcomes } from './outcome-service.js';
import { REPORT_PAGE_SCRIPT, REPORT_PAGE_STYLE } from './page-assets.js';
import type { Verdict } from './report-auth.js';
import { isApiKey, issueSession, reportSecret, verifyReportLink, verifySession } from './report-auth.js';
import { renderReportPage } from './report-page.js';

export const SESSION_COOKIE = 'smsb_report_session';
const SESSION_SECONDS = 12 * 3600;

/** Scripts, styles and images only from this service; no inline script; nothing framed, nothing posted elsewhere. */
export const REPORT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CHART_JS = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({ 'Content-Security-Policy': REPORT_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
  next();
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The report pages under /reports: an index and one page per campaign, behind the API key. A
 * person signs in with the key once (a login form; the cookie then holds a signed session token,
 * HttpOnly, SameSite=Strict), opens a signed expiring link (`campaign report <id> --link`), or a
 * script sends `Authorization: Bearer <API_KEY>`. Assets are public: they are the page's code, not data.
 */
export function reportRoutes(app: AppContext): Router {
  const router = express.Router();
  const secret = (): Buffer => reportSecret(app.config);
  const nowSeconds = (): number => Math.floor(app.clock.now().getTime() / 1000);
  router.use(securityHeaders);

  router.get('/assets/chart.umd.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').type('text/javascript').sendFile(CHART_JS);
  });
  router.get('/assets/report.js', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/javascript').send(REPORT_PAGE_SCRIPT);
  });
  router.get('/assets/report.css', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('text/css').send(REPORT_PAGE_STYLE);
  });

  /** ok, or why not: no credentials (401), or a link or session that is wrong or expired. */
  const authorize = (req: Request, campaignId?: string): Verdict | 'none' => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ') && isApiKey(header.slice(7).trim(), app.config.API_KEY)) return 'ok';
    const session = cookieOf(req, SESSION_COOKIE);
    if (session !== undefined && verifySession(secret(), session, nowSeconds()) === 'ok') return 'ok';
    const { exp, sig } = req.query;
    if (campaignId !== undefined && typeof exp === 'string' && typeof sig === 'string') return verifyReportLink(secret(), campaignId, exp, sig, nowSeconds());
    return 'none';
  };
  const refuse = (req: Request, res: Response, verdict: Exclude<Verdict, 'ok'> | 'none'): void => {
    const message = verdict === 'expired' ? 'This link has expired: sign in, or print a new one with `smsbridge campaign report <id> --link`.'
      : verdict === 'bad_signature' ? 'This link is not valid (its signature does not match): sign in, or print a new one.' : undefined;
    res.status(verdict === 'none' ? 401 : 403).set('Cache-Control', 'no-store').type('html')
      .send(renderLoginPage({ next: req.originalUrl.split('?')[0] ?? '/reports', ...(message ? { message } : {}) }));
  };

  router.get('/login', (req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(renderLoginPage({ next: safeNext(req.query.next) }));
  });
  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (typeof body.key !== 'string' || !isApiKey(body.key, app.config.API_KEY)) {
      res.status(401).set('Cache-Control', 'no-store').type('html').send(renderLoginPage({ next, message: 'Wrong API key.' }));
      return;
    }
    const token = issueSession(secret(), nowSeconds() + SESSION_SECONDS);
    const secure = req.secure ? '; Secure' : '';
    res.set('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/reports; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure}`).redirect(303, next);
  });
  router.post('/logout', (_req, res) => {
    res.set('Set-Cookie', `${SESSION_COOKIE}=; Path=/reports; Max-Age=0; HttpOnly; SameSite=Strict`).redirect(303, '/reports/login');
  });

  router.get('/', async (req, res) => {
    const verdict = authorize(req);
    if (verdict !== 'ok') return refuse(req, res, verdict);
    const campaigns = (await listCampaigns(app.store)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    res.set('Cache-Control', 'no-store').type('html').send(renderIndexPage(campaigns));
  });
  router.get('/campaigns/:id', async (req, res) => {
    const id = String(req.params.id);
    const verdict = authorize(req, id);
    if (verdict !== 'ok') return refuse(req, res, verdict);
    try {
      const { report, series } = await reportWithOutcomes(app, id, { series: true });
      res.set('Cache-Control', 'no-store').type('html').send(renderReportPage(report, series, { generatedAt: app.clock.now().toISOString() }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      res.status(404).type('html').send(`<!doctype html><title>Not found</title><p>No campaign with id ${id.replace(/[^\w-]/g, '')}. <a href="/reports">All campaigns</a></p>`);
    }
  });
  return router;
}
