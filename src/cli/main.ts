#!/usr/bin/env node
import type { Command } from 'commander';
import { emptyProgram, runProgram } from './run-program.js';

// `smsbridge contacts list --json | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const argv = process.argv.slice(2);
// An import loads only what importing uses, not the service, gateways and integrations: the start-up
// is part of every bulk import's time (the in-process runCli, and `--help`, keep the whole program).
async function program(): Promise<Command> {
  if (argv[0] === 'import') {
    const { registerImportCommand } = await import('./commands/import.js');
    const only = emptyProgram();
    registerImportCommand(only);
    return only;
  }
  return (await import('./program.js')).buildProgram();
}

process.exitCode = await runProgram(await program(), argv);
