import type { Command } from 'commander';
import { startService } from '../../http/serve.js';
import { z } from 'zod';
import { withApp } from '../context.js';
import { exitWhenIdle, untilStopSignal } from './stop-signal.js';
import { parseFlags, wholeNumber } from '../flags.js';
import { printJson } from '../output.js';

const serveFlags = z.object({ port: wholeNumber('--port', { min: 0, max: 65_535 }).optional(), json: z.boolean().default(false) });

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the service: REST API, webhooks, health and metrics, the sending engine and the scheduler (npm start).')
    .option('--port <port>', 'port to listen on (default: PORT; 0 takes any free port)')
    .option('--json', 'print {"url", "port"} on stdout once serving')
    .action(async (rawFlags: unknown) => {
      const flags = parseFlags(serveFlags, rawFlags);
      await withApp({ service: true }, async (app) => {
        const service = await startService(app, flags.port !== undefined ? { port: flags.port } : {});
        const url = `http://${app.config.HOST}:${service.port}`;
        if (flags.json) printJson({ url, port: service.port });
        process.stderr.write(`sms-bridge is serving on ${url} (Ctrl-C stops it)\n`);
        await untilStopSignal(app, 'finishing the batch in flight and flushing the store', () => service.stop());
      });
      exitWhenIdle();
    });
}
