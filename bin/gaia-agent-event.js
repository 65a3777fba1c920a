#!/usr/bin/env node
// gaia's recorder of an agent CLI's own events: run by the CLI's hook (claude, gemini: the event as
// JSON on stdin) or notify program (codex: the event as JSON in the last argument), through the
// session's .gaia/agents/<session>/event script. It appends one JSON line to the session's log
// (.gaia/agent-events/<session>.jsonl, one write with O_APPEND) and prints nothing: claude adds a
// hook's output to the conversation. Only what state needs is kept (the event's name, the
// conversation's id, a notification's type, the time), never prompts or replies. Whatever goes
// wrong, it exits 0 and quietly: a hook must never stop the agent. Plain CommonJS with no imports
// beyond node:fs, so it starts in a few tens of milliseconds.
//
//   gaia-agent-event.js LOG SOURCE [JSON]
'use strict';
const fs = require('node:fs');

const [log, source, arg] = process.argv.slice(2);
const text = (v) => (typeof v === 'string' && v !== '' ? v.slice(0, 200) : undefined);

try {
  const raw = arg !== undefined ? arg : fs.readFileSync(0, 'utf8');
  let v = {};
  try {
    v = JSON.parse(raw) || {};
  } catch {
    /* recorded as an event of unknown kind below */
  }
  const event = {
    at: Date.now(),
    source,
    kind: text(v.hook_event_name) || text(v.type) || 'unknown',
    sessionId: text(v.session_id) || text(v['thread-id']),
    turnId: text(v['turn-id']),
    detail: text(v.notification_type) || (v.hook_event_name === 'SessionStart' ? text(v.source) : undefined),
  };
  if (log) fs.appendFileSync(log, `${JSON.stringify(event)}\n`, { mode: 0o600 });
} catch {
  /* never in the agent's way */
}
