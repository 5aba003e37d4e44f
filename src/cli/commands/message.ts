import type { Command } from 'commander';
import { analyzeText, gsmSafeText } from '../../messages/encoding.js';
import { printJson, printLines } from '../output.js';

export function registerMessageCommands(program: Command): void {
  const message = program.command('message').description('Look at message texts before sending them.');
  message
    .command('inspect')
    .description('Encoding (GSM-7 or UCS-2), characters, segments, the characters that force UCS-2, and a GSM-safe alternative.')
    .argument('<text>', 'the message text')
    .option('--transliterate', 'let the GSM-safe alternative transliterate Cyrillic to Latin')
    .option('--json', 'print JSON')
    .action((text: string, flags: { transliterate?: boolean; json?: boolean }) => {
      const info = analyzeText(text);
      const safe = gsmSafeText(text, { transliterate: Boolean(flags.transliterate) });
      const safeInfo = analyzeText(safe.text);
      const result = {
        encoding: info.encoding,
        characters: info.characters,
        segments: info.segments,
        nonGsmCharacters: info.nonGsmCharacters,
        gsmSafeText: safe.text,
        gsmSafeSegments: safeInfo.segments,
        gsmSafeEncoding: safeInfo.encoding,
        stillNonGsm: safe.remaining,
        parts: info.parts,
      };
      if (flags.json) {
        printJson(result);
        return;
      }
      const lines = [
        `encoding:   ${info.encoding}`,
        `characters: ${info.characters}`,
        `segments:   ${info.segments} (${info.encoding === 'GSM-7' ? '160 in one SMS, 153 per part' : '70 in one SMS, 67 per part'})`,
      ];
      if (info.nonGsmCharacters.length > 0) {
        lines.push(`forces UCS-2: ${info.nonGsmCharacters.map((c) => JSON.stringify(c)).join(' ')}`);
        lines.push(`GSM-safe:   ${safe.text}`);
        lines.push(`            ${safeInfo.encoding}, ${safeInfo.segments} segment(s)${safe.remaining.length ? `; still not GSM: ${safe.remaining.join(' ')}${flags.transliterate ? '' : ' (try --transliterate)'}` : ''}`);
      }
      printLines(lines);
    });
}
