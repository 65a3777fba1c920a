/** `gaia completion zsh`: a completion function for zsh's completion system (compinit). */
import { posixTables } from './posix-tables.js';
import type { CompletionSpec } from './spec.js';

export function zshScript(spec: CompletionSpec): string {
  const p = `__${spec.program}`;
  return `#compdef ${spec.program}
# ${spec.program} completion for zsh. Enable it with
#   source <(${spec.program} completion zsh)      (in ~/.zshrc, after compinit), or
#   ${spec.program} completion zsh > "\${fpath[1]}/_${spec.program}"

${posixTables(spec, p, true)}

_${spec.program}() {
  local cur=\${words[CURRENT]} cmdpath= file= npos=0 value= i w found
  local -a subs items
  # Walk the words before the cursor: the command path, -f's manifest, how many arguments so far.
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if [[ $w == -?* ]]; then
      value=$(${p}_option_value "$cmdpath" "$w")
      [[ -z $value ]] && continue
      ((i++))
      if ((i == CURRENT)); then break; fi # the cursor is on this flag's value
      [[ $w == -f || $w == --file ]] && file=\${words[i]}
      value=
      continue
    fi
    found=
    if ((npos == 0)); then
      subs=(\${(f)"$(${p}_subcommands "$cmdpath")"})
      (( \${subs[(I)\${(b)w}:*]} )) && found=1
    fi
    if [[ -n $found ]]; then cmdpath=\${cmdpath:+$cmdpath }$w; else ((npos++)); fi
  done
  if [[ -z $value ]]; then
    if [[ $cur == -* ]]; then
      items=(\${(f)"$(${p}_options "$cmdpath")"})
      _describe -t options flag items
      return
    fi
    subs=(\${(f)"$(${p}_subcommands "$cmdpath")"})
    if ((npos == 0 && \${#subs})); then
      _describe -t commands command subs
      return
    fi
    value=$(${p}_arg_value "$cmdpath" "$npos")
  fi
  case $value in
    files) _files ;;
    choices:*) compadd -- \${=value#choices:} ;;
    project:*)
      items=(\${(f)"$(\${words[1]} __complete "\${value#project:}" \${file:+--file} \${file:+"$file"} 2>/dev/null)"})
      compadd -- $items ;;
    *) return 1 ;;
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _${spec.program} "$@"
else
  compdef _${spec.program} ${spec.program}
fi
`;
}
