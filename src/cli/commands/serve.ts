import v8 from 'node:v8';
import type { Command } from 'commander';
import { startService } from '../../http/serve.js';
import { z } from 'zod';
import { withApp } from '../context.js';
import { exitWhenIdle, untilStopSignal } from './stop-signal.js';
import { parseFlags, wholeNumber } from '../flags.js';
import { printJson } from '../output.js';

/**
 * How far V8 lets the heap grow past what a full GC left live, in percent. Its default for a machine
 * with plenty of RAM is up to 4x: with the embedded store's ~180 MB working set during a 100,000-message
 * send, garbage piled up to ~1 GB before each full GC. 1.3x keeps the service's RSS under 400 MB for
 * some more GC time (short, incremental). A `--heap-growing-percent` given to node wins.
 */
const HEAP_GROWING_PERCENT = 30;

function boundHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('heap-growing-percent') || arg.includes('heap_growing_percent'));
  if (!given) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

const serveFlags = z.object({ port: wholeNumber('--port', { min: 0, max: 65_535 }).optional(), json: z.boolean().default(false) });

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the service: REST API, webhooks, health and metrics, the sending engine and the scheduler (npm start).')
    .option('--port <port>', 'port to listen on (default: PORT; 0 takes any free port)')
    .option('--json', 'print {"url", "port"} on stdout once serving')
    .action(async (rawFlags: unknown) => {
      const flags = parseFlags(serveFlags, rawFlags);
      boundHeapGrowth();
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
