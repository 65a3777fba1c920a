/** gaia completion SHELL (the script) and the hidden gaia __complete KIND (the values it asks for). */
import { Argument, type Command } from 'commander';
import { out } from '../io.js';
import { DEFAULT_FILE } from '../project.js';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import { completionSpec, VALUE_KINDS, type CompletionSpec, type ValueKind } from './spec.js';
import { projectValues } from './values.js';
import { zshScript } from './zsh.js';

/** Every shell gaia completes for: one file and one line each. */
const SHELLS = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
} as const satisfies Readonly<Record<string, (spec: CompletionSpec) => string>>;

type Shell = keyof typeof SHELLS;

/** The hidden command the scripts run; the CLI does not locate a manifest for it (it does so quietly). */
export const COMPLETE_COMMAND = '__complete';

const HELP = `
Enable it:
  bash  eval "$(gaia completion bash)"          in ~/.bashrc
  zsh   source <(gaia completion zsh)           in ~/.zshrc, after compinit
  fish  gaia completion fish > ~/.config/fish/completions/gaia.fish

Completes subcommands, flags, files, resource addresses (--target), the addresses gaia owns
(state show), sessions and groups (send; groups for --group) and environments (git, --env), read
from the manifest and state of the project where the cursor is.`;

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SHELLS)))
    .addHelpText('after', HELP)
    .action((shell: Shell) => {
      // The whole program, this command included, is registered by the time an action runs.
      out(SHELLS[shell](completionSpec(program)));
    });
  program
    .command(COMPLETE_COMMAND, { hidden: true })
    .description('print the project values of KIND, one a line, for the completion scripts')
    .addArgument(new Argument('<kind>').choices(VALUE_KINDS))
    .option('-f, --file <file>', 'manifest file', DEFAULT_FILE)
    .action((kind: ValueKind, opts: { file: string }, cmd: Command) => {
      let values: string[] = [];
      try {
        values = projectValues(kind, opts.file, cmd.getOptionValueSource('file') === 'cli');
      } catch {
        // Nothing to offer; a completion never shows an error.
      }
      if (values.length) out(values.join('\n'));
    });
}
