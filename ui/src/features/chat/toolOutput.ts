/**
 * Tool steps as the chat shows them, built the same way from a live `tool_result` frame and from a
 * stored `tool_result` block (whose `content` is the JSON text of the same `output` object), so a
 * live answer and the same answer reloaded from history look identical.
 */
import { type ChartSpec, type ToolStatus, isObject, parseChartSpec } from '../../api/protocol';

export interface ToolOutputView {
  columns: string[];
  /** PostgreSQL type names, one per column. */
  types: string[];
  /** Numeric values arrive as decimal strings. */
  rows: unknown[][];
  rowCount: number | null;
  truncated: boolean;
  elapsedMs: number | null;
  note: string | null;
  chart: ChartSpec | null;
  chartError: string | null;
  /** create_artifact */
  artifactId: string | null;
  title: string | null;
  /** Plain words from the server when the tool failed. */
  error: string | null;
}

export type StepStatus = 'running' | ToolStatus;

export interface ToolStep {
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** The query of a run_sql_query step. */
  sql: string | null;
  status: StepStatus;
  summary: string | null;
  output: ToolOutputView | null;
  artifactIds: string[];
}

const strOr = (v: unknown, fallback: string | null = null) => (typeof v === 'string' ? v : fallback);
const numOr = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function parseToolOutput(raw: unknown): ToolOutputView | null {
  if (!isObject(raw)) return null;
  const rows = Array.isArray(raw.rows) ? raw.rows.filter((r): r is unknown[] => Array.isArray(r)) : [];
  return {
    columns: strings(raw.columns),
    types: strings(raw.types),
    rows,
    rowCount: numOr(raw.row_count),
    truncated: raw.truncated === true,
    elapsedMs: numOr(raw.elapsed_ms),
    note: strOr(raw.note) || null,
    chart: parseChartSpec(raw.chart),
    chartError: strOr(raw.chart_error),
    artifactId: strOr(raw.artifact_id),
    title: strOr(raw.title),
    error: strOr(raw.error),
  };
}

/** Parses the JSON text of a stored tool_result; plain text becomes an error or a note. */
export function parseStoredToolOutput(content: string, isError: boolean): ToolOutputView | null {
  try {
    const parsed = parseToolOutput(JSON.parse(content));
    if (parsed) return parsed;
  } catch {
    // not JSON: fall through
  }
  if (!content) return null;
  const empty = parseToolOutput({})!;
  return isError ? { ...empty, error: content } : { ...empty, note: content };
}

/** One line for the step header ("42 rows", "saved “Pipeline”", or the error in plain words). */
export function summarize(status: StepStatus, output: ToolOutputView | null, fallback: string | null): string | null {
  if (status === 'running') return null;
  if (output?.error) return output.error;
  if (output && output.rowCount !== null) {
    return `${output.rowCount} row${output.rowCount === 1 ? '' : 's'}${output.truncated ? ' (truncated)' : ''}`;
  }
  if (output?.artifactId && output.title !== null) return `saved "${output.title}"`;
  return fallback;
}

export function newStep(id: string, name: string, input: Record<string, unknown>): ToolStep {
  return {
    id,
    name,
    input,
    sql: name === 'run_sql_query' ? strOr(input.sql) : null,
    status: 'running',
    summary: null,
    output: null,
    artifactIds: [],
  };
}

export function finishStep(step: ToolStep, status: ToolStatus, output: ToolOutputView | null, fallback: string | null): ToolStep {
  return {
    ...step,
    status,
    output,
    summary: summarize(status, output, fallback),
    artifactIds: output?.artifactId ? [output.artifactId] : step.artifactIds,
  };
}

/** A step that never got its result (the run stopped or was interrupted). */
export function unfinishedStep(step: ToolStep): ToolStep {
  return step.status === 'running' ? { ...step, status: 'error', summary: 'Did not finish' } : step;
}
