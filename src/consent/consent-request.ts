import { normalizeKeyword } from '../delivery/keywords.js';

/** How double opt-in replies are recognised: which words mean yes, and for how long after the request. */
export interface ConsentRequestSettings {
  yesKeywords: readonly string[];
  windowHours: number;
}

/** A yes is the whole message being one of the words (any case, punctuation and look-alike letters aside). */
export function createYesMatcher(keywords: readonly string[]): (text: string) => boolean {
  const words = new Set(keywords.map(normalizeKeyword));
  return (text) => words.has(normalizeKeyword(text));
}

/** Did the reply come within the window after the request went out (or was queued)? */
export function withinWindow(requestAt: string, replyAt: string, windowHours: number): boolean {
  const sent = Date.parse(requestAt);
  const reply = Date.parse(replyAt);
  return reply >= sent && reply - sent <= windowHours * 3_600_000;
}
