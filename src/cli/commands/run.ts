import type { Command } from 'commander';
import { startWorker } from '../../worker.js';
import { withApp } from '../context.js';
import { exitWhenIdle, untilStopSignal } from './stop-signal.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run the sending engine and the scheduler until stopped (Ctrl-C): queued, deferred and scheduled messages go out.')
    .action(async () => {
      await withApp({ service: true }, async (app) => {
        const worker = await startWorker(app);
        process.stderr.write('sms-bridge is running: sending engine and scheduler. Ctrl-C stops it.\n');
        await untilStopSignal(app, 'finishing the batch in flight', () => worker.stop());
      });
      exitWhenIdle();
    });
}
