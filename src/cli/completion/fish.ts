/** `gaia completion fish`: one completion function for fish (3.0 and later), the same walk as the
 *  bash and zsh scripts over the same tables, written as fish switch statements. */
import { completesWord } from './posix-tables.js';
import type { CommandSpec, CompletionSpec } from './spec.js';

/** A single-quoted word for fish (backslash escapes only \\ and \' there). */
const fishQuote = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

const key = (cmd: CommandSpec) => cmd.path.join(' ');

function switchFunction(name: string, comment: string, subject: string, arms: readonly (readonly [readonly string[], readonly string[]])[]): string {
  const lines = [`# ${comment}`, `function ${name}`, `    switch ${subject}`];
  for (const [patterns, body] of arms) lines.push(`        case ${patterns.join(' ')}`, ...body.map((b) => `            ${b}`));
  lines.push('    end', 'end');
  return lines.join('\n');
}

export function fishScript(spec: CompletionSpec): string {
  const p = `__${spec.program}`;
  const described = (items: readonly { name: string; description: string }[]) => items.map((i) => `printf '%s\\t%s\\n' ${fishQuote(i.name)} ${fishQuote(i.description)}`);
  const echo = (word: string) => [`echo ${fishQuote(word)}`];
  const tables = [
    switchFunction(`${p}_subcommands`, 'The subcommands of the command path $argv[1], with descriptions.', '"$argv[1]"',
      spec.commands.filter((c) => c.subcommands.length).map((c) => [[fishQuote(key(c))], described(c.subcommands)])),
    switchFunction(`${p}_options`, 'The flags of the command path $argv[1], with descriptions.', '"$argv[1]"',
      spec.commands.filter((c) => c.options.length).map((c) => [[fishQuote(key(c))], described(c.options.flatMap((o) => o.names.map((n) => ({ name: n, description: o.description }))))])),
    switchFunction(`${p}_option_value`, 'What the value of flag $argv[2] of command path $argv[1] is; nothing for a flag without one.', '"$argv[1]|$argv[2]"',
      spec.commands.flatMap((c) => c.options.filter((o) => o.value).map((o) => [o.names.map((n) => fishQuote(`${key(c)}|${n}`)), echo(completesWord(o.value!))]))),
    switchFunction(`${p}_arg_value`, 'What argument $argv[2] (from 0) of command path $argv[1] is; nothing when it takes no more.', '"$argv[1]|$argv[2]"',
      spec.commands.flatMap((c) => c.args.flatMap((a, i) => {
        const body = echo(completesWord(a.value));
        // A variadic last argument takes every further position too (a quoted * still matches in case).
        return a.variadic ? [[[fishQuote(`${key(c)}|${i}`), fishQuote(`${key(c)}|*`)], body]] : [[[fishQuote(`${key(c)}|${i}`)], body]];
      }))),
  ];
  return `# ${spec.program} completion for fish. Enable it with
#   ${spec.program} completion fish > ~/.config/fish/completions/${spec.program}.fish

${tables.join('\n\n')}

# The candidates for the word under the cursor.
function ${p}_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmdpath ''
    set -l file ''
    set -l npos 0
    set -l value ''
    set -l i 2
    # Walk the words before the cursor: the command path, -f's manifest, how many arguments so far.
    while test $i -le (count $words)
        set -l w $words[$i]
        if string match -qr -- '^-.' $w
            set value (${p}_option_value "$cmdpath" $w)
            if test -n "$value"
                set i (math $i + 1)
                if test $i -gt (count $words)
                    break # the cursor is on this flag's value
                end
                if contains -- $w -f --file
                    set file $words[$i]
                end
                set value ''
            end
        else if test $npos -eq 0; and contains -- $w (${p}_subcommands "$cmdpath" | string replace -r '\\t.*' '')
            set cmdpath (string trim -- "$cmdpath $w")
        else
            set npos (math $npos + 1)
        end
        set i (math $i + 1)
    end
    if test -z "$value"
        if string match -q -- '-*' "$cur"
            ${p}_options "$cmdpath"
            return
        end
        set -l subs (${p}_subcommands "$cmdpath")
        if test $npos -eq 0; and test (count $subs) -gt 0
            printf '%s\\n' $subs
            return
        end
        set value (${p}_arg_value "$cmdpath" $npos)
    end
    switch "$value"
        case files
            __fish_complete_path "$cur"
        case 'choices:*'
            string split ' ' -- (string replace 'choices:' '' -- $value)
        case 'project:*'
            set -l kind (string replace 'project:' '' -- $value)
            if test -n "$file"
                $words[1] __complete $kind --file $file 2>/dev/null
            else
                $words[1] __complete $kind 2>/dev/null
            end
    end
end

complete -c ${spec.program} -f -a '(${p}_complete)'
`;
}
