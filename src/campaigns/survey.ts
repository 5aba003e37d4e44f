/**
 * Surveys: a campaign asks a question with numbered options ("1=Отлично,2=Нормально,3=Плохо") and
 * the replies are tallied into them, by number or by word, forgiving case, spaces, punctuation and
 * Ё/Е ("1", " 1.", "отлично!", "ОТЛИЧНО", "1 отлично"). Other replies are listed as free text.
 *
 * Keywords keep their meaning: STOP (СТОП, ОТПИСКА, ...) opts out and START/HELP answer as usual;
 * those arrive as opt-out/opt-in/help records, never as replies, so they are never votes. An option
 * spelt like a keyword could never be chosen, so it is refused when the campaign is created.
 *
 * One vote per recipient: the latest reply that names an option counts, so someone who corrects
 * themselves ("2", then "нет, 1") is counted once, with their final answer.
 */
import { AppError } from '../common/errors.js';
import { classifyInbound, normalizeKeyword } from '../delivery/keywords.js';
import type { Campaign, SurveyOption } from './campaign.js';
import type { InboundRecord } from './report.js';

export const SURVEY_MAX_OPTIONS = 10;

export interface SurveyTally {
  options: Array<SurveyOption & { count: number }>;
  /** Replies that name no option, oldest first. */
  other: Array<{ text: string; at: string }>;
  /** Distinct recipients who replied at all (a vote or free text). */
  responders: number;
  /** Distinct recipients whose vote counts (the sum of the option counts). */
  voters: number;
}

/** The comparable form of a reply or an option: keyword normalisation, then punctuation as spaces. */
export function surveyForm(text: string): string {
  return normalizeKeyword(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * Reads `--survey "1=Отлично,2=Нормально,3=Плохо"`; options without keys (`"Да,Нет"`) are numbered
 * from 1. Keys and labels must be distinct, and none may be an opt-out or other keyword.
 */
export function parseSurveyOption(text: string): { options: SurveyOption[] } {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  const options = items.map((item, i) => {
    const eq = item.indexOf('=');
    return eq === -1 ? { key: String(i + 1), label: item } : { key: item.slice(0, eq).trim(), label: item.slice(eq + 1).trim() };
  });
  return checkSurvey({ options });
}

/** Checks survey options however they came (CLI, REST): 2 to 10, distinct, readable, not keywords. */
export function checkSurvey(survey: { options: SurveyOption[] }): { options: SurveyOption[] } {
  const hint = 'Write the options as KEY=label pairs, for example --survey "1=Отлично,2=Нормально,3=Плохо".';
  const { options } = survey;
  if (options.length < 2 || options.length > SURVEY_MAX_OPTIONS) {
    throw new AppError('VALIDATION_FAILED', `A survey needs 2 to ${SURVEY_MAX_OPTIONS} options; got ${options.length}.`, { hint });
  }
  const seen = new Map<string, string>();
  for (const option of options) {
    for (const [what, value] of [['key', option.key], ['label', option.label]] as const) {
      const form = surveyForm(value);
      if (form === '') throw new AppError('VALIDATION_FAILED', `The survey option "${option.key}=${option.label}" has an empty ${what} (letters or digits needed).`, { hint });
      const intent = classifyInbound(value);
      if (intent !== 'other') {
        throw new AppError('VALIDATION_FAILED', `The survey ${what} "${value}" is the ${intent.toUpperCase()} keyword: a reply with it is handled as ${intent}, never counted as a vote.`, {
          hint: 'Choose another word for that option.',
        });
      }
      const clash = seen.get(form);
      if (clash !== undefined) throw new AppError('VALIDATION_FAILED', `The survey options "${clash}" and "${value}" read alike; each key and label must be distinct.`, { hint });
      seen.set(form, value);
    }
  }
  return { options: options.map((o) => ({ key: o.key.trim(), label: o.label.trim() })) };
}

/** A matcher: the option a reply names, or undefined for free text. */
export function surveyMatcher(options: readonly SurveyOption[]): (reply: string) => SurveyOption | undefined {
  const byForm = new Map<string, SurveyOption>();
  for (const option of options) {
    const key = surveyForm(option.key);
    const label = surveyForm(option.label);
    byForm.set(key, option);
    byForm.set(label, option);
    // "1 Отлично", "1. Отлично", "Отлично 1": the key and the label together.
    byForm.set(`${key} ${label}`, option);
    byForm.set(`${label} ${key}`, option);
  }
  return (reply) => byForm.get(surveyForm(reply));
}

/**
 * The survey tally of a campaign from its inbound records (those of other campaigns, opt-outs and other
 * keywords are skipped): votes per option (one per recipient, the latest), free-text replies, responders.
 */
export function surveyTally(campaign: Pick<Campaign, 'id' | 'survey'>, inbound: readonly InboundRecord[]): SurveyTally {
  const options = campaign.survey?.options ?? [];
  const match = surveyMatcher(options);
  const replies = inbound
    .filter((r) => r.kind === 'reply' && r.campaignId === campaign.id && r.text !== '')
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const votes = new Map<string, SurveyOption>();
  const responders = new Set<string>();
  const other: SurveyTally['other'] = [];
  for (const reply of replies) {
    const who = reply.contactId ?? (reply.from || `inbound:${reply.id}`);
    responders.add(who);
    const option = options.length > 0 ? match(reply.text) : undefined;
    if (option) votes.set(who, option);
    else other.push({ text: reply.text, at: reply.at });
  }
  const counts = new Map<string, number>();
  for (const option of votes.values()) counts.set(option.key, (counts.get(option.key) ?? 0) + 1);
  return {
    options: options.map((o) => ({ key: o.key, label: o.label, count: counts.get(o.key) ?? 0 })),
    other,
    responders: responders.size,
    voters: votes.size,
  };
}
