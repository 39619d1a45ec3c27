/**
 * The one line a tool step shows, in words a sales manager reads: "Querying deals…" while it
 * runs, "deals · 42 rows · 38 ms" when done, and what went wrong in plain words when it failed.
 */
import type { ToolStep } from '../toolOutput';
import { formatCount } from './formatValue';
import { mainTable } from './sqlSubject';

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** What the step reads: the main table of its SQL, or "activities" for the search. */
export function stepSubject(step: ToolStep): string | null {
  if (step.name === 'search_activities') return 'activities';
  if (step.name === 'run_sql_query') return mainTable(step.sql);
  return null;
}

/** The title of the artifact a create_artifact step saves. */
export function artifactTitle(step: ToolStep): string {
  return step.output?.title ?? str(step.input.title) ?? 'report';
}

export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function rowsText(count: number): string {
  return `${formatCount(count)} row${count === 1 ? '' : 's'}`;
}

const DID_NOT_FINISH = 'Did not finish';

function runningText(step: ToolStep): string {
  switch (step.name) {
    case 'run_sql_query':
      return `Querying ${stepSubject(step) ?? 'your data'}…`;
    case 'search_activities':
      return 'Searching activities…';
    case 'create_artifact':
      return `Saving “${artifactTitle(step)}”…`;
    default:
      return 'Working…';
  }
}

function errorText(step: ToolStep): string {
  const reason = step.output?.error ?? (step.summary === DID_NOT_FINISH ? null : step.summary);
  if (!reason) {
    if (step.name === 'run_sql_query') return 'The query did not finish';
    if (step.name === 'search_activities') return 'The search did not finish';
    if (step.name === 'create_artifact') return `“${artifactTitle(step)}” was not saved`;
    return 'This step did not finish';
  }
  switch (step.name) {
    case 'run_sql_query':
      return `The query was refused: ${reason}`;
    case 'search_activities':
      return `The search failed: ${reason}`;
    case 'create_artifact':
      return `“${artifactTitle(step)}” could not be saved: ${reason}`;
    default:
      return `This step failed: ${reason}`;
  }
}

export function stepSummary(step: ToolStep): string {
  if (step.status === 'running') return runningText(step);
  if (step.status === 'error') return errorText(step);
  if (step.name === 'create_artifact') return `Saved “${artifactTitle(step)}”`;
  const output = step.output;
  const parts = [stepSubject(step)];
  if (output?.rowCount != null) parts.push(rowsText(output.rowCount));
  if (output?.elapsedMs != null) parts.push(formatElapsed(output.elapsedMs));
  const line = parts.filter(Boolean).join(' · ');
  return line || step.summary || 'Done';
}
