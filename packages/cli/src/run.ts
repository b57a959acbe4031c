import { adaptersCommand, adaptersHelp } from './commands/adapters';
import { auditCommand, auditHelp } from './commands/audit';
import { checkCommand, checkHelp } from './commands/check';
import { conformanceCommand, conformanceHelp } from './commands/conformance';
import { demoCommand, demoHelp } from './commands/demo';
import { dlqCommand, dlqHelp } from './commands/dlq';
import { initCommand, initHelp } from './commands/init';
import { keysCommand, keysHelp } from './commands/keys';
import { newAdapterCommand, newAdapterHelp } from './commands/new-adapter';
import { reportCommand, reportHelp } from './commands/report';
import { retentionCommand, retentionHelp } from './commands/retention';
import { schemasCommand, schemasHelp } from './commands/schemas-export';
import { sendCommand, sendHelp } from './commands/send';
import { serveCommand, serveHelp } from './commands/serve';
import { simulateCommand, simulateHelp } from './commands/simulate';
import { statusCommand, statusHelp } from './commands/status';
import { subjectCommand, subjectHelp } from './commands/subject';
import { validateCommand, validateHelp } from './commands/validate';
import { describeError, EXIT, processIo, UsageError, type Io } from './output';
import { VERSION } from './version';

interface Command {
  summary: string;
  help: string;
  run: (argv: string[], io: Io) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  init: { summary: 'write a starter stack file (lgx.yaml)', help: initHelp, run: initCommand },
  validate: { summary: 'check a stack file, its adapters and their config', help: validateHelp, run: validateCommand },
  check: { summary: "run every adapter's health check against its back office", help: checkHelp, run: checkCommand },
  serve: { summary: 'run the gateway, delivery workers and status polling', help: serveHelp, run: serveCommand },
  send: { summary: 'submit a transaction from a file and follow it', help: sendHelp, run: sendCommand },
  status: { summary: "show a transaction's deliveries and status history", help: statusHelp, run: statusCommand },
  dlq: { summary: 'list, show, replay or discard dead letters', help: dlqHelp, run: dlqCommand },
  report: {
    summary: "the council's transactions by channel and service KPIs (GDS data-sets), or publish them",
    help: reportHelp,
    run: reportCommand,
  },
  retention: {
    summary: "purge the payloads of transactions past their type's retention period, or show what would go",
    help: retentionHelp,
    run: retentionCommand,
  },
  subject: { summary: "find, export or erase one person's data (subject requests)", help: subjectHelp, run: subjectCommand },
  audit: { summary: "verify the council's audit chain", help: auditHelp, run: auditCommand },
  keys: { summary: 'create, list or revoke API keys', help: keysHelp, run: keysCommand },
  adapters: { summary: 'list installed adapters and their capabilities', help: adaptersHelp, run: adaptersCommand },
  new: { summary: 'create a new adapter package from the template', help: newAdapterHelp, run: newAdapterCommand },
  conformance: { summary: 'run the conformance suite on an adapter package', help: conformanceHelp, run: conformanceCommand },
  simulate: { summary: 'start simulated back offices to try a stack against', help: simulateHelp, run: simulateCommand },
  schemas: { summary: 'export the canonical JSON Schemas', help: schemasHelp, run: schemasCommand },
  demo: { summary: 'the main job on embedded defaults, with simulated back offices', help: demoHelp, run: demoCommand },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `lgx ${VERSION}: run and operate a council's LGX stack`,
    '',
    'usage: lgx <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(
      ([name, c]) => `  ${(name === 'new' ? 'new adapter' : name === 'schemas' ? 'schemas export' : name).padEnd(width + 9)} ${c.summary}`,
    ),
    '',
    "'lgx <command> --help' for a command's options. Most take --json for scripts.",
    'exit codes: 0 ok · 1 what was checked is not right · 2 usage error · 3 not found',
  ].join('\n');
}

/** Runs the lgx command line; resolves the exit code. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`error: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(describeError(error));
    if (error instanceof UsageError) {
      io.err(`\n${command.help}`);
      return EXIT.usage;
    }
    return EXIT.failed;
  }
}
