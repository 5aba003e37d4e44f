/**
 * Message templates: mustache over a contact's fields, its CRM properties and per-campaign variables,
 * with HTML escaping off (an SMS is plain text: `O'Brien & Sons` must arrive as typed).
 *
 * compileTemplate does all the thinking once per campaign: it parses, rejects what cannot work
 * (bad syntax, partials, unknown names), decides which variables a recipient must have, and rewrites
 * the token tree so every variable is a slot in a small array. render then only reads those slots
 * from the contact and hands the tree to mustache: no parsing, no regexes, no copy of the contact.
 */
import Mustache from 'mustache';
import type { RenderOptions } from 'mustache';
import { AppError } from '../common/errors.js';
import type { Contact, ContactFieldName } from '../contacts/contact.js';
import { PROPERTIES_PREFIX, checkCampaignVariableNames, isContactFieldName, unknownVariablesError, where } from './template-names.js';

export { knownVariableNames } from './template-names.js';
export { parseTemplateRecord, templateSchema, TEMPLATE_NAME_MAX, TEMPLATE_TEXT_MAX } from './template-record.js';
export type { Template } from './template-record.js';

export interface TemplateVariable {
  name: string;
  /** True when every use sits behind the template's own fallback, so a missing value cannot hurt. */
  guarded: boolean;
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

export interface CompiledTemplate {
  readonly text: string;
  /** Distinct, in order of first use, section names included. */
  readonly variables: TemplateVariable[];
  render(contact: Contact, campaignVariables?: Record<string, string>): RenderResult;
}

export interface CompileOptions {
  /** Used in error messages only. */
  name?: string;
  /** Names the campaign supplies values for; they may not shadow contact fields. */
  campaignVariables?: string[];
  /** When given, `properties.<name>` must name one of these; otherwise any property name passes. */
  knownProperties?: string[];
}

/** mustache's token: [type, name or text, start, end, children of a section, end of a section]. */
type Token = [string, string, number, number, Token[]?, number?];
type Reader = (contact: Contact, campaign: Record<string, string> | undefined) => string | undefined;

// Explicit tags, so a caller that changes Mustache.tags globally cannot change how our templates parse.
const TAGS: [string, string] = ['{{', '}}'];
// Per-call escape: the global Mustache.escape stays HTML-escaping for anyone else in the process.
const RENDER_OPTIONS: RenderOptions = { escape: (value: unknown) => String(value) };
// renderTokens keeps no state between calls, so one writer serves every template.
const renderer = new Mustache.Writer();

const joined = (list: readonly string[]): string => list.join(', ');
const FIELD_READERS: Record<ContactFieldName, Reader> = {
  phone: (c) => c.phone,
  firstName: (c) => c.firstName,
  lastName: (c) => c.lastName,
  middleName: (c) => c.middleName,
  gender: (c) => c.gender,
  birthDate: (c) => c.birthDate,
  city: (c) => c.city,
  country: (c) => c.country,
  timezone: (c) => c.timezone,
  // Lists become text here, so an empty list is '' and counts as missing like an empty string.
  interests: (c) => joined(c.interests),
  tags: (c) => joined(c.tags),
};

// The typeof checks keep inherited names (`constructor`, `__proto__`) from reading as values.
function propertyReader(key: string): Reader {
  return (c) => {
    const value = c.properties[key];
    return typeof value === 'string' ? value : undefined;
  };
}

function campaignReader(name: string): Reader {
  return (_c, campaign) => {
    const value = campaign?.[name];
    return typeof value === 'string' ? value : undefined;
  };
}

function parse(text: string, templateName: string | undefined): Token[] {
  // A private writer: its cache holds the tree we are about to rewrite, so it must not be shared.
  const parser = new Mustache.Writer();
  try {
    return parser.parse(text, TAGS) as Token[];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const position = /at (\d+)$/.exec(reason)?.[1];
    throw new AppError('VALIDATION_FAILED', `Template syntax error ${where(templateName)}: ${reason}`, {
      hint: 'Every {{#name}} or {{^name}} needs a matching {{/name}}, and every {{ needs its }}.',
      details: { template: templateName, reason, position: position === undefined ? undefined : Number(position) },
      cause: error,
    });
  }
}

interface Reference {
  token: Token;
  /** Inside a `{{#same}}` section, or is itself a section; inverted sections are added afterwards. */
  inSection: boolean;
}

interface Walk {
  text: string;
  templateName: string | undefined;
  refs: Map<string, Reference[]>;
  inverted: Set<string>;
}

function unsupported(walk: Walk, token: Token, what: string, hint: string): AppError {
  const tag = walk.text.slice(token[2], token[3]);
  return new AppError('VALIDATION_FAILED', `${what} ${where(walk.templateName)}: ${tag} at ${token[2]}`, {
    hint,
    details: { template: walk.templateName, tag, position: token[2] },
  });
}

/** Walks the tree, collecting every variable reference; unsupported tags throw. */
function collect(walk: Walk, tokens: Token[], open: Token[]): void {
  for (const token of tokens) {
    const [type, name] = token;
    if (type === 'text' || type === '!') continue;
    if (type === '>') throw unsupported(walk, token, 'Partials are not supported', 'Paste the shared text into the template itself.');
    if (type === '=') throw unsupported(walk, token, 'Changing delimiters is not supported', 'Use {{ and }} around variable names.');
    if (name === '') throw unsupported(walk, token, 'Empty tag', 'Write a variable name between {{ and }}.');
    // `{{.}}` is the value of the enclosing `{{#name}}`, already counted; anywhere else it means nothing.
    if (name === '.' && open.at(-1)?.[0] === '#') continue;
    const isSection = type === '#' || type === '^';
    const reference = { token, inSection: isSection || open.some((s) => s[0] === '#' && s[1] === name) };
    const list = walk.refs.get(name);
    if (list) list.push(reference);
    else walk.refs.set(name, [reference]);
    if (type === '^') walk.inverted.add(name);
    if (isSection) collect(walk, token[4] ?? [], [...open, token]);
  }
}

function readerFor(name: string, campaign: ReadonlySet<string>, knownProperties: ReadonlySet<string> | undefined): Reader | undefined {
  if (isContactFieldName(name)) return FIELD_READERS[name];
  if (campaign.has(name)) return campaignReader(name);
  if (name.startsWith(PROPERTIES_PREFIX) && name.length > PROPERTIES_PREFIX.length) {
    const key = name.slice(PROPERTIES_PREFIX.length);
    return knownProperties === undefined || knownProperties.has(key) ? propertyReader(key) : undefined;
  }
  return undefined;
}

export function compileTemplate(text: string, options: CompileOptions = {}): CompiledTemplate {
  const templateName = options.name;
  if (text.trim() === '') {
    throw new AppError('VALIDATION_FAILED', `Template text is empty ${where(templateName)}`, {
      hint: 'Write the message text; use {{firstName}} and the like for personal parts.',
      details: { template: templateName },
    });
  }
  const campaign = checkCampaignVariableNames(options.campaignVariables ?? []);
  const campaignSet = new Set(campaign);
  const propertySet = options.knownProperties === undefined ? undefined : new Set(options.knownProperties);

  const tokens = parse(text, templateName);
  const walk: Walk = { text, templateName, refs: new Map(), inverted: new Set() };
  collect(walk, tokens, []);

  const names: string[] = [];
  const readers: Reader[] = [];
  const required: boolean[] = [];
  const variables: TemplateVariable[] = [];
  const unknown: string[] = [];
  for (const [name, references] of walk.refs) {
    const reader = readerFor(name, campaignSet, propertySet);
    if (reader === undefined) {
      unknown.push(name);
      continue;
    }
    const guarded = walk.inverted.has(name) || references.every((r) => r.inSection);
    // The slot index becomes the token's name: the view is an array, so lookups are plain indexing.
    const slot = String(names.length);
    for (const { token } of references) token[1] = slot;
    names.push(name);
    readers.push(reader);
    required.push(!guarded);
    variables.push({ name, guarded });
  }
  if (unknown.length > 0) throw unknownVariablesError(unknown, campaign, options.knownProperties, templateName);

  const count = names.length;
  // The typings model tokens as string[][]; the tree really mixes strings, numbers and subtrees.
  const tree = tokens as unknown as string[][];
  return {
    text,
    variables,
    render(contact: Contact, campaignVariables?: Record<string, string>): RenderResult {
      const values = new Array<string | undefined>(count);
      let missing: string[] | undefined;
      for (let i = 0; i < count; i++) {
        const value = readers[i]!(contact, campaignVariables);
        values[i] = value;
        if (required[i] && (value === undefined || value === '')) (missing ??= []).push(names[i]!);
      }
      if (missing !== undefined) return { ok: false, missing };
      const rendered = renderer.renderTokens(tree, new Mustache.Context(values), undefined, text, RENDER_OPTIONS);
      return { ok: true, text: rendered };
    },
  };
}
