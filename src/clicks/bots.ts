/**
 * Link-preview fetchers and crawlers: chat apps fetch a link the moment it is pasted or received to
 * draw a preview card, and that is not a person clicking. Named ones (Slack, WhatsApp, Telegram,
 * Facebook/Messenger, Twitter/X, iMessage and Apple's preview, which sends Facebook's and Twitter's
 * names, Google, Viber, Skype/Teams, Discord, LinkedIn, VK, Bing) and anything calling itself
 * a bot, crawler, spider, preview, fetcher or scanner, or an HTTP library (curl, wget, python, Go,
 * Java, axios, node-fetch) rather than a browser. A request with no user agent at all is no browser either.
 */
const NOT_A_PERSON = new RegExp(
  [
    // "bot" as a word or a name's end (Googlebot, TelegramBot), but not the CUBOT phone brand.
    '(?<!cu)bot\\b', 'bot[/_-]', 'crawl', 'spider', 'preview', 'fetch', 'scan', 'slack', 'whatsapp', 'telegrambot', 'facebookexternalhit', 'facebot',
    'twitterbot', 'google-', 'googleimageproxy', 'googleother', 'viber', 'skypeuri', 'discordbot', 'linkedinbot', 'vkshare', 'bingpreview',
    'embedly', 'pinterest', 'mattermost', 'curl/', 'wget/', 'python', 'go-http-client', 'java/', 'okhttp', 'axios', 'node-fetch', 'undici',
    'headlesschrome', 'httpclient', 'libwww',
  ].join('|'),
  'i',
);

/** Is this request a person following the link (true), or a preview fetcher, crawler or script (false)? */
export function isHumanClick(method: string, userAgent: string | undefined): boolean {
  if (method === 'HEAD') return false;
  if (!userAgent || userAgent.trim() === '') return false;
  return !NOT_A_PERSON.test(userAgent);
}
