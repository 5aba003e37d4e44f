import type { Command } from 'commander';
import type { AppContext } from '../../app.js';
import { AppError } from '../../common/errors.js';
import { countSegments } from '../../messages/encoding.js';
import type { Template } from '../../messages/template-record.js';
import { saveTemplate } from '../../messages/save-template.js';
import { withApp } from '../context.js';
import { collect } from '../flags.js';
import { printJson, printLines, table } from '../output.js';

export async function loadTemplate(app: AppContext, name: string): Promise<Template> {
  const template = await app.store.templates.get(name);
  if (!template) {
    const known = (await app.store.templates.list()).map((t) => t.name);
    throw new AppError('NOT_FOUND', `No template named "${name}".`, {
      hint: known.length ? `Saved templates: ${known.join(', ')}.` : 'Save one with: smsbridge template save <name> --text "..."',
    });
  }
  return template;
}

export function registerTemplateCommands(program: Command): void {
  const template = program.command('template').description('Saved message texts (mustache: {{firstName}}, {{properties.shop}}, {{#x}}…{{/x}}{{^x}}fallback{{/x}}).');

  template
    .command('save')
    .description('Save (or replace) a template; unknown variables are refused with the list of known ones.')
    .argument('<name>')
    .requiredOption('--text <text>', 'the message text')
    .option('--var <name>', 'a campaign variable the text uses, such as promo (repeatable)', collect, [])
    .option('--description <text>', 'what the template is for')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { text: string; var: string[]; description?: string; json?: boolean }) => {
      await withApp({}, async (app) => {
        const { template, replaced } = await saveTemplate({ name, text: flags.text, variables: flags.var, ...(flags.description ? { description: flags.description } : {}) }, app);
        if (flags.json) printJson(template);
        else printLines([`${replaced ? 'Replaced' : 'Saved'} template "${name}".`]);
      });
    });

  template
    .command('list')
    .description('List saved templates.')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const templates = await app.store.templates.list();
        if (flags.json) printJson(templates);
        else printLines(templates.length ? table(['name', 'segments', 'text'], templates.map((t) => [t.name, String(countSegments(t.text).segments), t.text.replace(/\s+/g, ' ').slice(0, 60)])) : ['No templates yet.']);
      });
    });

  template
    .command('show')
    .description('Show one template.')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean }) => {
      await withApp({ readOnly: true }, async (app) => {
        const found = await loadTemplate(app, name);
        if (flags.json) printJson(found);
        else printLines([`${found.name}${found.variables.length ? ` (variables: ${found.variables.join(', ')})` : ''}`, found.text]);
      });
    });
}
