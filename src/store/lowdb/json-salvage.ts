/**
 * Reads what is readable of a damaged collection file (`{"version":1,"items":[{…},{…}]}`, as
 * ChunkedJsonFile writes it): item by item, skipping a damaged stretch and picking up again at the
 * next item boundary. For `store recover` and for naming the byte where a file is damaged.
 */
export interface Salvage {
  items: unknown[];
  /** Byte offsets where damage starts (empty: the file is whole). */
  damage: number[];
  /** An outbox snapshot's journal generation, when its header is readable. */
  journalGen?: number;
}

const HEADER = /^\s*\{\s*"version"\s*:\s*1\s*,\s*(?:"journalGen"\s*:\s*(\d+)\s*,\s*)?"items"\s*:\s*\[/;

export function salvageEnvelope(text: string): Salvage {
  const header = HEADER.exec(text);
  const damage: number[] = header ? [] : [0];
  const at = header ? header[0].length : text.indexOf('{', text.indexOf('"items"'));
  if (at < 0 || (!header && text.indexOf('"items"') < 0)) return { items: [], damage: [0] };
  const salvage = salvageItems(text, at, damage);
  return header?.[1] === undefined ? salvage : { ...salvage, journalGen: Number(header[1]) };
}

function salvageItems(text: string, start: number, damage: number[]): Salvage {
  const items: unknown[] = [];
  const byteAt = (index: number): number => Buffer.byteLength(text.slice(0, index), 'utf8');
  let at = skipSpace(text, start);
  if (text[at] === ']' && /^\]\s*\}\s*$/.test(text.slice(at))) return { items, damage };
  while (at < text.length) {
    const end = text[at] === '{' ? objectEnd(text, at) : -1;
    const item = end === -1 ? undefined : parseObject(text.slice(at, end));
    const next = end === -1 ? -1 : skipSpace(text, end);
    if (item !== undefined && text[next] === ',') {
      items.push(item);
      at = skipSpace(text, next + 1);
      continue;
    }
    if (item !== undefined && text[next] === ']' && /^\]\s*\}\s*$/.test(text.slice(next))) {
      items.push(item);
      return { items, damage };
    }
    // Damage from here: resume at the next place that looks like the start of an item.
    if (damage[damage.length - 1] !== byteAt(at)) damage.push(byteAt(at));
    const resume = text.indexOf('},{', at + 1);
    if (resume === -1) return { items, damage };
    at = resume + 2;
  }
  if (damage.length === 0) damage.push(byteAt(text.length));
  return { items, damage };
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i] as string)) i += 1;
  return i;
}

/** Index just past the object that starts at `start`, tracking strings and nesting; -1 if it never closes. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

function parseObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
