/** A target of `/sms send`: a saved segment, a HubSpot list, or numbers. */
export type SendTarget = { type: 'segment'; name: string } | { type: 'list'; listId: string } | { type: 'phones'; phones: string[] };

export type SmsCommand =
  | { type: 'help' }
  | { type: 'send'; target: SendTarget; text: string; kind: 'marketing' | 'transactional' }
  | { type: 'status'; campaignId?: string }
  | { type: 'report' | 'pause' | 'resume' | 'cancel'; campaignId: string }
  | { type: 'invalid'; problem: string };

export const USAGE = [
  '*Usage of /sms*',
  '`/sms send <target> <message>`: preview a blast, then Confirm, Test to me or Cancel. <target> is a saved segment name, `list:<HubSpot list id>`, or numbers separated by commas (`+79123456789,+79234567890`). Add `--transactional` after `send` for a service message (marketing is the default).',
  '`/sms status [campaign]`: the last campaigns, or one campaign\'s progress.',
  '`/sms report <campaign>`: delivered, failed, replies, opt-outs, cost.',
  '`/sms pause <campaign>`, `/sms resume <campaign>`, `/sms cancel <campaign>`.',
  '`/sms help`: this text.',
].join('\n');

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FLAGS: Record<string, 'marketing' | 'transactional'> = { '--transactional': 'transactional', '--marketing': 'marketing' };

/**
 * What Slack sends as `text`: `&`, `<` and `>` arrive escaped, and a client may have turned a number
 * or address into a link (`<tel:+7912...|+7912...>`); keep what the person typed.
 */
export function unescapeSlackText(text: string): string {
  return text
    .replace(/<(?:tel|mailto|https?):[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:tel|mailto):)?([^|>]*)>/g, '$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function parseTarget(raw: string): SendTarget | { problem: string } {
  const list = /^list:(.*)$/i.exec(raw);
  if (list) return /^\d{1,20}$/.test(list[1] ?? '') ? { type: 'list', listId: list[1] as string } : { problem: `"${raw}" is not a HubSpot list: write list:<numeric list id>, such as list:123.` };
  if (/^[+\d(][\d+()-]*(,[+\d(][\d+()-]*)*,?$/.test(raw) && /\d{6}/.test(raw.replace(/\D/g, ''))) {
    return { type: 'phones', phones: raw.split(',').filter((p) => p.length > 0) };
  }
  if (raw.length > 100) return { problem: 'A segment name is at most 100 characters.' };
  return { type: 'segment', name: raw.normalize('NFC') };
}

/** Parses the text after `/sms`; anything it cannot read is `invalid` with the reason. */
export function parseSmsCommand(input: string): SmsCommand {
  const text = unescapeSlackText(input).trim();
  const [verb = '', ...rest] = text.split(/\s+/);
  const args = rest.filter((word) => word.length > 0);
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { type: 'help' };
    case 'send':
      return parseSend(text.slice(verb.length));
    case 'status':
      if (args.length === 0) return { type: 'status' };
      return args.length === 1 && CAMPAIGN_ID.test(args[0] as string) ? { type: 'status', campaignId: args[0] as string } : { type: 'invalid', problem: '`status` takes at most one campaign id.' };
    case 'report':
    case 'pause':
    case 'resume':
    case 'cancel': {
      const type = verb.toLowerCase() as 'report' | 'pause' | 'resume' | 'cancel';
      return args.length === 1 && CAMPAIGN_ID.test(args[0] as string) ? { type, campaignId: args[0] as string } : { type: 'invalid', problem: `\`${type}\` needs exactly one campaign id, such as \`/sms ${type} 3f2a9c1d\`.` };
    }
    default:
      return { type: 'invalid', problem: `Unknown subcommand "${verb.slice(0, 30)}".` };
  }
}

function parseSend(afterVerb: string): SmsCommand {
  let kind: 'marketing' | 'transactional' = 'marketing';
  let remaining = afterVerb.trim();
  let target: string | undefined;
  // Flags may come before or after the target; the message is everything after both.
  for (;;) {
    const match = /^(\S+)\s*/.exec(remaining);
    if (!match) break;
    const word = match[1] as string;
    const flag = FLAGS[word.toLowerCase()];
    if (flag) kind = flag;
    else if (target === undefined) target = word;
    else break;
    remaining = remaining.slice(match[0].length);
  }
  if (target === undefined) return { type: 'invalid', problem: '`send` needs a target and a message.' };
  if (remaining.trim().length === 0) return { type: 'invalid', problem: '`send` needs a message after the target.' };
  const parsed = parseTarget(target);
  if ('problem' in parsed) return { type: 'invalid', problem: parsed.problem };
  return { type: 'send', target: parsed, text: remaining.trim(), kind };
}
