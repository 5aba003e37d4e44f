import type { Command } from 'commander';
import { startService } from '../../http/serve.js';
import { withApp } from '../context.js';
import { exitWhenIdle, untilStopSignal } from './stop-signal.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the service: REST API, webhooks, health and metrics, the sending engine and the scheduler (npm start).')
    .option('--port <port>', 'port to listen on (default: PORT; 0 takes any free port)')
    .action(async (flags: { port?: string }) => {
      await withApp({ service: true }, async (app) => {
        const service = await startService(app, flags.port ? { port: Number(flags.port) } : {});
        process.stderr.write(`sms-bridge is serving on http://${app.config.HOST}:${service.port} (Ctrl-C stops it)\n`);
        await untilStopSignal(app, 'finishing the batch in flight and flushing the store', () => service.stop());
      });
      exitWhenIdle();
    });
}
