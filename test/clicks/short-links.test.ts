import { describe, expect, it } from 'vitest';
import { isHumanClick } from '../../src/clicks/bots.js';
import { CODE_LENGTH, createCodeGenerator, findLinks, isCodeShaped, markLinks, placeLinks, shortLinkPrefix } from '../../src/clicks/short-links.js';
import { campaignSlug, withUtm } from '../../src/clicks/utm.js';

describe('short link codes', () => {
  it('are 10 base62 characters, distinct, and use the whole alphabet evenly', () => {
    const next = createCodeGenerator();
    const codes = Array.from({ length: 20_000 }, next);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((code) => code.length === CODE_LENGTH && isCodeShaped(code))).toBe(true);
    const counts = new Map<string, number>();
    for (const char of codes.join('')) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 200,000 characters over 62: about 3,226 each; a biased modulo would skew the first 8 by ~25%.
    for (const n of counts.values()) expect(Math.abs(n - 200_000 / 62)).toBeLessThan(350);
  });

  it('drop bytes that would bias the modulo', () => {
    // 248..255 are skipped: a pool of only those, then 0 and 61 (and their +62 twins), yields "0" and "z" alternating.
    const pools = [Uint8Array.from([255, 250, 248, 0, 61, 62, 123, 124, 185, 186, 247, 1]), Uint8Array.from(Array.from({ length: 16 }, () => 0))];
    const next = createCodeGenerator(() => pools.shift() as Uint8Array);
    expect(next()).toBe('0z0z0z0z10');
  });

  it('reject anything not shaped like a code', () => {
    for (const bad of ['', 'short', 'AbCdEfGhJk1', 'AbCdEf-hJk', '../../etc', 'АбвгдеёжзИ']) expect(isCodeShaped(bad)).toBe(false);
  });
});

describe('links in a campaign text', () => {
  it('finds http and https links, leaving sentence punctuation outside', () => {
    const text = 'Скидки: https://shop.example/sale?x=1. Ещё (см. http://a.example/b) и https://b.example/c!';
    expect(findLinks(text).map((l) => l.url)).toEqual(['https://shop.example/sale?x=1', 'http://a.example/b', 'https://b.example/c']);
    expect(findLinks('Нет ссылок, только www.shop.example и ftp://x, или https://')).toEqual([]);
    expect(findLinks('Заходите: https://магазин.рф/скидки!').map((l) => l.url)).toEqual(['https://магазин.рф/скидки']);
  });

  it('leaves a link that runs into a variable untracked, but tracks one followed by a section end', () => {
    expect(findLinks('https://shop.example/?id={{id}} hi')).toEqual([]);
    expect(findLinks('{{#firstName}}https://shop.example/vip{{/firstName}}').map((l) => l.url)).toEqual(['https://shop.example/vip']);
  });

  it('marks links in the template and places a fresh short link for each', () => {
    const text = 'A https://a.example/x B https://b.example/y';
    const links = findLinks(text);
    let n = 0;
    const placed = placeLinks(markLinks(text, links), links.map((l) => l.url), shortLinkPrefix('https://s.example/'), () => `code${String((n += 1)).padStart(6, '0')}`);
    expect(placed.text).toBe('A https://s.example/s/code000001 B https://s.example/s/code000002');
    expect(placed.links).toEqual([{ code: 'code000001', url: 'https://a.example/x' }, { code: 'code000002', url: 'https://b.example/y' }]);
    expect(placeLinks('no marks', [], 'x', () => 'y')).toEqual({ text: 'no marks', links: [] });
  });
});

describe('UTM parameters', () => {
  it('adds source, medium and campaign, keeping the path, the fragment and parameters already there', () => {
    expect(withUtm('https://shop.example/sale?x=1#top', 'spring-sale')).toBe('https://shop.example/sale?x=1&utm_source=sms&utm_medium=sms&utm_campaign=spring-sale#top');
    expect(withUtm('https://shop.example/?utm_campaign=mine&utm_source=crm', 'spring')).toBe('https://shop.example/?utm_campaign=mine&utm_source=crm&utm_medium=sms');
    const all = 'https://shop.example/?utm_source=a&utm_medium=b&utm_campaign=c';
    expect(withUtm(all, 'spring')).toBe(all);
    // Cyrillic hosts and paths come out ASCII, as a Location header must be.
    expect(withUtm('https://магазин.рф/скидки', 'x')).toBe('https://xn--80aairftm.xn--p1ai/%D1%81%D0%BA%D0%B8%D0%B4%D0%BA%D0%B8?utm_source=sms&utm_medium=sms&utm_campaign=x');
  });

  it('slugs the campaign name in Latin letters, else uses the id', () => {
    expect(campaignSlug({ id: 'c1', name: 'Весенняя распродажа 2026!' })).toBe('vesennyaya-rasprodazha-2026');
    expect(campaignSlug({ id: 'c1', name: 'Spring Sale' })).toBe('spring-sale');
    expect(campaignSlug({ id: 'c1a2b3c4', name: '🎉🎉' })).toBe('c1a2b3c4');
  });
});

describe('who clicked', () => {
  const people = [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 12; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) YaBrowser/23.11.0.100 Mobile Safari/537.36',
  ];
  const fetchers = [
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'WhatsApp/2.23.20.0 A', 'TelegramBot (like TwitterBot)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'Twitterbot/1.0',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Google-PageRenderer Google (+https://developers.google.com/+/web/snippet/)',
    'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', 'SomeLinkPreview/1.0', 'curl/8.4.0', 'python-requests/2.31', 'MyCrawler 3', 'Go-http-client/1.1',
  ];

  it('counts browsers as people', () => {
    for (const agent of people) expect(isHumanClick('GET', agent), agent).toBe(true);
  });

  it('does not count link-preview fetchers, crawlers, scripts, HEAD requests or a missing user agent', () => {
    for (const agent of fetchers) expect(isHumanClick('GET', agent), agent).toBe(false);
    expect(isHumanClick('HEAD', people[0])).toBe(false);
    expect(isHumanClick('GET', undefined)).toBe(false);
    expect(isHumanClick('GET', ' ')).toBe(false);
  });
});
