/** What a shell needs to complete gaia's command line, read off the commander program the CLI parses
 *  with: the commands, their flags and arguments, and what each value is (a file, one of a few words,
 *  or something only the project knows, fetched with `gaia __complete KIND`). So a flag added to a
 *  command is completed without touching a second list. */
import type { Argument, Command, Option } from 'commander';

/** Values only the project knows: `gaia __complete KIND` prints them, one a line. */
export const VALUE_KINDS = ['addresses', 'owned', 'sessions', 'session-names', 'groups', 'environments'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

export type Completes =
  | { readonly kind: 'text' } // anything: nothing to offer
  | { readonly kind: 'files' }
  | { readonly kind: 'choices'; readonly values: readonly string[] }
  | { readonly kind: 'project'; readonly of: ValueKind };

export interface OptionSpec {
  /** `-f` and `--file`, as typed. */
  readonly names: readonly string[];
  readonly description: string;
  /** Undefined for a flag that takes no value. */
  readonly value?: Completes;
}

export interface ArgSpec {
  readonly name: string;
  readonly variadic: boolean;
  readonly value: Completes;
}

export interface CommandSpec {
  /** `[]` for gaia itself, `['state', 'show']` for `gaia state show`. */
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  readonly options: readonly OptionSpec[];
  readonly args: readonly ArgSpec[];
}

export interface CompletionSpec {
  readonly program: string;
  /** Every visible command, gaia itself first, parents before their subcommands. */
  readonly commands: readonly CommandSpec[];
}

/** What a value name in a flag or argument (`--target <address>`, `[planfile]`) means, unless the
 *  command says otherwise with `completes`. */
const BY_VALUE_NAME: Readonly<Record<string, Completes>> = {
  address: { kind: 'project', of: 'addresses' },
  file: { kind: 'files' },
  path: { kind: 'files' },
  planfile: { kind: 'files' },
  dir: { kind: 'files' },
  backup: { kind: 'files' },
  env: { kind: 'project', of: 'environments' },
  group: { kind: 'project', of: 'groups' },
};

const declared = new WeakMap<Command, Map<string, Completes>>();

/** Say, beside a command's definition, what its argument or flag value `name` completes to, where the
 *  value name alone does not tell (`send [target]` is a session; `state show <address>` is one gaia owns). */
export function completes<C extends Command>(cmd: C, name: string, value: Completes): C {
  const map = declared.get(cmd) ?? new Map<string, Completes>();
  map.set(name, value);
  declared.set(cmd, map);
  return cmd;
}

function valueOf(cmd: Command, name: string, choices: readonly string[] | undefined): Completes {
  if (choices?.length) return { kind: 'choices', values: choices };
  return declared.get(cmd)?.get(name) ?? BY_VALUE_NAME[name] ?? { kind: 'text' };
}

function optionSpec(cmd: Command, o: Option): OptionSpec {
  const names = [o.short, o.long].filter((n): n is string => n !== undefined);
  if (!o.required && !o.optional) return { names, description: o.description };
  const valueName = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? o.attributeName();
  return { names, description: o.description, value: valueOf(cmd, valueName, o.argChoices) };
}

function argSpec(cmd: Command, a: Argument): ArgSpec {
  return { name: a.name(), variadic: a.variadic, value: valueOf(cmd, a.name(), a.argChoices) };
}

export function completionSpec(program: Command): CompletionSpec {
  const help = program.createHelp();
  const commands: CommandSpec[] = [];
  const walk = (cmd: Command, path: readonly string[]) => {
    const subs = help.visibleCommands(cmd).filter((c) => c.name() !== 'help');
    commands.push({
      path,
      description: cmd.description(),
      subcommands: subs.map((c) => ({ name: c.name(), description: c.description() })),
      options: help.visibleOptions(cmd).map((o) => optionSpec(cmd, o)),
      args: cmd.registeredArguments.map((a) => argSpec(cmd, a)),
    });
    for (const c of subs) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return { program: program.name(), commands };
}
