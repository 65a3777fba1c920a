/** `gaia completion bash`: a completion function for bash (3.2 and later). */
import { posixTables } from './posix-tables.js';
import type { CompletionSpec } from './spec.js';

export function bashScript(spec: CompletionSpec): string {
  const p = `__${spec.program}`;
  return `# ${spec.program} completion for bash. Enable it with
#   eval "$(${spec.program} completion bash)"          (in ~/.bashrc), or
#   ${spec.program} completion bash > ~/.local/share/bash-completion/completions/${spec.program}

${posixTables(spec, p, false)}

# Fill COMPREPLY with the words of "$@"'s output that start with $cur, one a line.
${p}_reply() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("$line")
  done < <("$@" 2>/dev/null)
}

_${spec.program}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmdpath= file= npos=0 value= i w sub found
  # Walk the words before the cursor: the command path, -f's manifest, how many arguments so far.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == -?* ]]; then
      value=$(${p}_option_value "$cmdpath" "$w")
      [[ -z $value ]] && continue
      ((i++))
      # --target=ADDR: bash splits it at the = (COMP_WORDBREAKS) into --target, =, ADDR.
      if [[ \${COMP_WORDS[i]} == = ]] && ((i < COMP_CWORD)); then ((i++)); fi
      if ((i == COMP_CWORD)); then break; fi # the cursor is on this flag's value
      [[ $w == -f || $w == --file ]] && file=\${COMP_WORDS[i]}
      value=
      continue
    fi
    found=
    if ((npos == 0)); then
      for sub in $(${p}_subcommands "$cmdpath"); do [[ $sub == "$w" ]] && found=1; done
    fi
    if [[ -n $found ]]; then cmdpath=\${cmdpath:+$cmdpath }$w; else ((npos++)); fi
  done
  if [[ -z $value ]]; then
    if [[ $cur == -* ]]; then ${p}_reply ${p}_options "$cmdpath"; return 0; fi
    if ((npos == 0)) && [[ -n $(${p}_subcommands "$cmdpath") ]]; then ${p}_reply ${p}_subcommands "$cmdpath"; return 0; fi
    value=$(${p}_arg_value "$cmdpath" "$npos")
  fi
  case $value in
    files)
      compopt -o filenames 2>/dev/null
      ${p}_reply compgen -f -- "$cur" ;;
    choices:*) ${p}_reply printf '%s\\n' \${value#choices:} ;;
    project:*) ${p}_reply "\${COMP_WORDS[0]}" __complete "\${value#project:}" \${file:+--file "$file"} ;;
    *) COMPREPLY=() ;;
  esac
  return 0
}

complete -F _${spec.program} ${spec.program}
`;
}
