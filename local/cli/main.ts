// gns-sync CLI entry point: dispatches to a subcommand.
import { LocalDynamoError } from '../dynamo/start.ts';
import { UsageError } from './command.ts';
import { commands } from './commands/index.ts';
import { packageVersion } from '../package-root.ts';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'gns-sync: per-pod DNS for StatefulSets across the namespaces and clusters of a global namespace.',
    '',
    'Usage: gns-sync <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `gns-sync <command> --help` for a command\'s options; `gns-sync --version` prints the version.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`gns-sync ${packageVersion()}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`gns-sync: unknown command "${name}"; run gns-sync --help`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`gns-sync ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof LocalDynamoError) {
      // The state directory's store: one line naming the file and what to do, no stack trace.
      console.error(`gns-sync ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
