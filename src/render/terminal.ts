/** The terminal format: what a person reads; coloured when the stream is a colour terminal. */
import { createColors } from 'picocolors';
import { changeLine, progressLine } from './apply-terminal.js';
import { renderCostTerminal } from './cost-terminal.js';
import { renderDiffTerminal } from './diff-terminal.js';
import { renderDriftTerminal } from './drift-terminal.js';
import { renderHealthTerminal } from './health-terminal.js';
import { renderPlanTerminal } from './plan-terminal.js';
import { renderReconcileRoundTerminal } from './reconcile-terminal.js';
import type { Format } from './reports.js';
import { statusHeader } from './status-header.js';
import { renderStatusTerminal } from './status-terminal.js';
import { sendTable } from './send-terminal.js';
import { renderStateHistoryTerminal } from './state-history-terminal.js';
import { renderRebuiltTerminal, renderStateListTerminal, renderUnlockedTerminal } from './state-terminal.js';
import { renderTaskAddedTerminal, renderTasksTerminal } from './tasks-terminal.js';
import { renderValidateTerminal } from './validate-terminal.js';

export const terminal: Format = {
  describe: (noun) => `print ${noun} for a terminal`,
  reports: {
    validate: (v) => renderValidateTerminal(v),
    stateList: (v) => renderStateListTerminal(v.recorded),
    stateUnlocked: (r) => renderUnlockedTerminal(r),
    stateSetAside: (v) => `The damaged state store was moved aside to ${v.path}.\n`,
    stateRebuilt: (r) => renderRebuiltTerminal(r),
    stateHistory: (v) => renderStateHistoryTerminal(v),
    reconcileRound: (o) => renderReconcileRoundTerminal(o),
    plan: (plan, o) => renderPlanTerminal(plan, { color: o.color, ...(o.verbose ? { verbose: true } : {}) }),
    diff: (report, o) => renderDiffTerminal(report, { color: o.color }),
    drift: (v, o) => renderDriftTerminal(v.report, v.warnings, { color: o.color }),
    health: (report, o) => renderHealthTerminal(report, { color: o.color, verbose: o.verbose ?? false }),
    status: (v, o) => `${statusHeader(v)}\n${renderStatusTerminal(v.report, { color: o.color })}`,
    cost: (report, o) => renderCostTerminal(report, { color: o.color }),
    tasks: (v, o) => renderTasksTerminal(v.tasks, { color: o.color, all: v.all }),
    taskAdded: (v) => renderTaskAddedTerminal(v),
    // Each delivery was shown as it settled; the table closes a send to several targets.
    send: (v, o) => (v.results.length > 1 ? sendTable(createColors(o.color), v.results) : ''),
    applyStep: (e) => changeLine(e) ?? '',
    applyProgress: (p, o) => progressLine(p, o.width ?? 80),
  },
};
