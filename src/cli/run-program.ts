import { Command, CommanderError } from 'commander';
import { describeFailure } from './output.js';

/** The `smsbridge` program with no commands yet: its name, description, version and error handling. */
export function emptyProgram(): Command {
  return new Command()
    .name('smsbridge')
    .description('Mass SMS from your CRM: contacts, consent, segments, campaigns, gateways, reports.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
}

/** Runs one command line; returns the exit code instead of exiting, so tests can call it. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A command that reports a failure without throwing (doctor, test sends) sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help/version text).
      return error.exitCode;
    }
    process.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
}
