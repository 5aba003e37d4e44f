import type { Command } from 'commander';
import { registerAutomationCommands } from './commands/automation.js';
import { registerCampaignCommands } from './commands/campaign.js';
import { registerContactCommands } from './commands/contacts.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerHubSpotActionCommands } from './commands/hubspot-action.js';
import { registerImportCommand } from './commands/import.js';
import { registerHubSpotCommands } from './commands/hubspot.js';
import { registerMessageCommands } from './commands/message.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSegmentCommands } from './commands/segment.js';
import { registerStoreCommands } from './commands/store.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerTemplateCommands } from './commands/template.js';
import { registerReplyCommands } from './commands/replies.js';
import { registerConsentCommands } from './commands/consent.js';
import { registerConversionCommands } from './commands/conversions.js';
import { emptyProgram, runProgram } from './run-program.js';

export function buildProgram(): Command {
  const program = emptyProgram();
  registerImportCommand(program);
  registerContactCommands(program);
  registerSegmentCommands(program);
  registerTemplateCommands(program);
  registerMessageCommands(program);
  registerCampaignCommands(program);
  registerAutomationCommands(program);
  registerReplyCommands(program);
  registerConsentCommands(program);
  registerRunCommand(program);
  registerServeCommand(program);
  registerDoctorCommand(program);
  registerDemoCommand(program);
  registerHubSpotCommands(program);
  registerHubSpotActionCommands(program);
  registerStoreCommands(program);
  registerMigrateCommand(program);
  registerConversionCommands(program);
  return program;
}

/** Runs one command line; returns the exit code instead of exiting, so tests can call it. */
export async function runCli(argv: readonly string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}
