import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB_API_SCOPES } from '../../../integrations/slack/slack-api.js';
import { BOT_EVENTS, SLASH_COMMAND } from '../../../integrations/slack/slack-app.js';

const root = path.join(import.meta.dirname, '..', '..', '..');
const manifest = fs.readFileSync(path.join(root, 'manifests', 'slack', 'manifest.yml'), 'utf8');

/** The items of the YAML list under `key:` (the manifest is plain block YAML). */
function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((line) => line.trim() === `${key}:`);
  expect(start, key).toBeGreaterThanOrEqual(0);
  const indent = (lines[start] as string).search(/\S/);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (line.search(/\S/) <= indent && !line.trim().startsWith('-')) break;
    const item = /^\s*-\s*(?:command:\s*)?([^\s#]+)/.exec(line);
    if (item) items.push(item[1] as string);
  }
  return items;
}

describe('manifests/slack/manifest.yml', () => {
  it('declares the slash command the app registers, and no other', () => {
    expect(listUnder('slash_commands')).toEqual([SLASH_COMMAND]);
  });

  it('subscribes to the events thread replies need', () => {
    expect(listUnder('bot_events').sort()).toEqual([...BOT_EVENTS].sort());
  });

  it('grants every scope the code uses: commands, each Web API method\'s, and history for the message events', () => {
    const scopes = listUnder('bot');
    const needed = new Set(['commands', ...Object.values(WEB_API_SCOPES), 'channels:history', 'groups:history']);
    for (const scope of needed) expect(scopes, scope).toContain(scope);
    // Nothing granted that nothing uses (chat:write.public lets notifications reach public channels without an invite).
    for (const scope of scopes) expect([...needed, 'chat:write.public'], scope).toContain(scope);
  });

  it('sends commands, interactivity and events to the one endpoint the service mounts', () => {
    const urls = [...manifest.matchAll(/(?:url|request_url):\s*(\S+)/g)].map((m) => new URL(m[1] as string).pathname);
    expect(urls).toHaveLength(3);
    expect(new Set(urls)).toEqual(new Set(['/slack/events']));
    expect(manifest).toMatch(/interactivity:\s*\n\s*is_enabled: true/);
  });

  it('the code calls only Web API methods it lists with their scope', () => {
    const sources = fs.readdirSync(path.join(root, 'integrations', 'slack')).map((f) => fs.readFileSync(path.join(root, 'integrations', 'slack', f), 'utf8')).join('\n');
    const called = new Set([...sources.matchAll(/client\.(chat|users|conversations|reactions|views)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`));
    expect([...called].sort()).toEqual(Object.keys(WEB_API_SCOPES).sort());
  });
});
