import type { Command } from 'commander';
import { startService } from '../../http/serve.js';
import { withApp } from '../context.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the service: REST API, webhooks, health and metrics, the sending engine and the scheduler (npm start).')
    .option('--port <port>', 'port to listen on (default: PORT)')
    .action(async (flags: { port?: string }) => {
      await withApp({ service: true }, async (app) => {
        const service = await startService(app, flags.port ? { port: Number(flags.port) } : {});
        process.stderr.write(`sms-bridge is serving on http://${app.config.HOST}:${service.port} (Ctrl-C stops it)\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        process.stderr.write('stopping: finishing requests and the batch in flight...\n');
        await service.stop();
      });
    });
}
