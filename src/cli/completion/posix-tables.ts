/** The lookup functions the bash and zsh scripts share, written in the syntax both shells read the
 *  same way (case, printf): which subcommands and flags a command has, and what a flag's value or an
 *  argument completes to, as a word: `files`, `text`, `choices:a b c` or `project:KIND`. */
import type { CommandSpec, CompletionSpec, Completes } from './spec.js';

/** A single-quoted word for sh, bash and zsh. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function completesWord(c: Completes): string {
  switch (c.kind) {
    case 'text':
    case 'files':
      return c.kind;
    case 'choices':
      return `choices:${c.values.join(' ')}`;
    case 'project':
      return `project:${c.of}`;
  }
}

const key = (cmd: CommandSpec) => cmd.path.join(' ');

function caseFunction(name: string, comment: string, subject: string, arms: readonly (readonly [readonly string[], string])[]): string {
  const lines = [`# ${comment}`, `${name}() {`, `  case ${subject} in`];
  for (const [patterns, body] of arms) lines.push(`    ${patterns.join('|')}) ${body} ;;`);
  lines.push('  esac', '}');
  return lines.join('\n');
}

/** `describe`: each word printed as `word:description` (for zsh's _describe) instead of alone. */
export function posixTables(spec: CompletionSpec, prefix: string, describe: boolean): string {
  const words = (items: readonly { name: string; description: string }[]) =>
    items.length === 0 ? ':' : `printf '%s\\n' ${items.map((i) => shQuote(describe ? `${i.name.replace(/:/g, '\\:')}:${i.description}` : i.name)).join(' ')}`;
  const subcommands = spec.commands.filter((c) => c.subcommands.length).map((c) => [[shQuote(key(c))], words(c.subcommands)] as const);
  const options = spec.commands.map((c) => [[shQuote(key(c))], words(c.options.flatMap((o) => o.names.map((n) => ({ name: n, description: o.description }))))] as const);
  const optionValues = spec.commands.flatMap((c) => c.options.filter((o) => o.value).map((o) => [o.names.map((n) => shQuote(`${key(c)}|${n}`)), `echo ${shQuote(completesWord(o.value!))}`] as const));
  const argValues = spec.commands.flatMap((c) => c.args.flatMap((a, i) => {
    const arm = [[shQuote(`${key(c)}|${i}`)], `echo ${shQuote(completesWord(a.value))}`] as const;
    // A variadic last argument takes every further position too.
    return a.variadic ? [arm, [[`${shQuote(`${key(c)}|`)}*`], arm[1]] as const] : [arm];
  }));
  return [
    caseFunction(`${prefix}_subcommands`, 'The subcommands of the command path $1, one a line.', '"$1"', subcommands),
    caseFunction(`${prefix}_options`, 'The flags of the command path $1, one a line.', '"$1"', options),
    caseFunction(`${prefix}_option_value`, 'What the value of flag $2 of command path $1 is; nothing for a flag without one.', '"$1|$2"', optionValues),
    caseFunction(`${prefix}_arg_value`, 'What argument $2 (from 0) of command path $1 is; nothing when it takes no more.', '"$1|$2"', argValues),
  ].join('\n\n');
}
