import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ClickRecord, ShortLink, Store } from '../store/port.js';
import { isHumanClick } from './bots.js';
import { isCodeShaped } from './short-links.js';
import { campaignSlug, withUtm } from './utm.js';

const PATH_PREFIX = '/s/';
/** Resolved codes kept in memory: a repeated click costs no store call. */
const CACHE_MAX = 100_000;
/** Clicks written per store call. */
const BATCH = 500;

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Link not found</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1>Link not found</h1>
<p>This link is not known, or it was mistyped. Ссылка не найдена: проверьте, что она скопирована полностью.</p>
</body></html>
`;

/** `GET|HEAD /s/<code>`: a tracked short link, served on the lean path before express. */
export function isShortLinkRequest(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.url ?? '').startsWith(PATH_PREFIX);
}

export interface RedirectDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Clicks waiting to be written, at most (CLICK_QUEUE_MAX); beyond it clicks are redirected but not recorded. */
  queueMax: number;
  /** Told of every answer (metrics). */
  onAnswer?(status: number): void;
}

/**
 * Clicks are queued in memory and written in batches in the background: the redirect never waits on
 * the store. The queue is bounded; when the store falls that far behind, clicks past the bound are
 * dropped (and counted), the redirect itself keeps working.
 */
export class ClickRecorder {
  private readonly queue: ClickRecord[] = [];
  private draining: Promise<void> | undefined;
  /** Clicks lost: dropped at a full queue, or in a batch the store refused. */
  dropped = 0;

  constructor(private readonly deps: Pick<RedirectDeps, 'store' | 'logger' | 'queueMax'>) {}

  get pending(): number {
    return this.queue.length;
  }

  record(click: ClickRecord): void {
    if (this.queue.length >= this.deps.queueMax) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.deps.logger.warn({ dropped: this.dropped, queueMax: this.deps.queueMax }, 'click queue full: clicks redirected but not recorded');
      return;
    }
    this.queue.push(click);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Resolves once every click queued so far is written (or given up). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let the redirect's answer go out first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH);
      try {
        // The contact is read now, not from the redirect's cache: an erased contact's id is never written back.
        const links = await this.deps.store.links.getMany([...new Set(batch.map((click) => click.code))]);
        for (const click of batch) {
          const contactId = links.get(click.code)?.contactId;
          if (contactId !== undefined) click.contactId = contactId;
        }
        await this.deps.store.clicks.append(batch);
      } catch (error) {
        this.dropped += batch.length;
        this.deps.logger.warn({ error, clicks: batch.length }, 'could not record clicks');
      }
    }
  }
}

interface Resolved {
  link: ShortLink;
  target: string;
}

/** The short link handler and its click recorder. */
export function createRedirectHandler(deps: RedirectDeps): { handle(req: IncomingMessage, res: ServerResponse): Promise<void>; recorder: ClickRecorder } {
  const recorder = new ClickRecorder(deps);
  const resolved = new Map<string, Resolved>();
  const slugs = new Map<string, string>();

  const slugOf = async (campaignId: string): Promise<string> => {
    let slug = slugs.get(campaignId);
    if (slug === undefined) {
      const campaign = await deps.store.campaigns.get(campaignId);
      slug = campaign ? campaignSlug(campaign) : campaignId;
      slugs.set(campaignId, slug);
    }
    return slug;
  };

  const resolve = async (code: string): Promise<Resolved | undefined> => {
    const hit = resolved.get(code);
    if (hit) return hit;
    const link = (await deps.store.links.getMany([code])).get(code);
    if (!link) return undefined;
    const entry = { link, target: withUtm(link.url, await slugOf(link.campaignId)) };
    if (resolved.size >= CACHE_MAX) resolved.delete(resolved.keys().next().value as string);
    resolved.set(code, entry);
    return entry;
  };

  const notFound = (res: ServerResponse): void => {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(NOT_FOUND_PAGE);
    deps.onAnswer?.(404);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await answer(req, res);
    } catch (error) {
      // Never an unhandled rejection on the lean path: log, and answer if nothing was sent yet.
      deps.logger.warn({ error }, 'short link request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The link could not be opened.\n');
      } else res.destroy();
    }
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '';
    const end = url.search(/[?#]/);
    const code = url.slice(PATH_PREFIX.length, end === -1 ? undefined : end);
    if (!isCodeShaped(code)) return notFound(res);
    let found: Resolved | undefined;
    try {
      found = await resolve(code);
    } catch (error) {
      deps.logger.warn({ error }, 'could not look a short link up');
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' });
      res.end('The link cannot be opened right now; try again in a moment.\n');
      deps.onAnswer?.(503);
      return;
    }
    if (!found) return notFound(res);
    // no-store: every click comes back here, so each is counted.
    res.writeHead(302, { location: found.target, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
    deps.onAnswer?.(302);
    const { link } = found;
    if (link.test) return;
    const userAgent = req.headers['user-agent'];
    recorder.record({
      id: randomUUID(), code, campaignId: link.campaignId, messageId: link.messageId,
      url: link.url, at: deps.clock.now().toISOString(), human: isHumanClick(req.method ?? 'GET', userAgent), ...(userAgent ? { userAgent: userAgent.slice(0, 512) } : {}),
    });
  };
  return { handle, recorder };
}
