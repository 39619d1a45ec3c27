/**
 * Number formats of a chart spec. The deal currency is not part of the result, so "currency" is
 * plain grouping unless the rows carry one `currency` column with a single code. "percent" reads
 * fractions (0.25) as 25 %, and values above 1 as already being percentages.
 */
import type { ChartFormat } from '../../../api/protocol';

export type NumberFormatter = (value: number) => string;

export interface FormatContext {
  format: ChartFormat | null;
  /** An ISO currency code all rows share, if the result has a `currency` column. */
  currency: string | null;
  /** True when every plotted value lies in [-1, 1] (percentages given as fractions). */
  fractions: boolean;
}

/** The single currency code in a `currency` column, if there is exactly one. */
export function detectCurrency(columns: readonly string[], rows: readonly unknown[][]): string | null {
  const index = columns.findIndex((c) => c.toLowerCase() === 'currency');
  if (index < 0) return null;
  const codes = new Set(
    rows.map((r) => r[index]).flatMap((v) => (typeof v === 'string' && /^[A-Za-z]{3}$/.test(v) ? [v.toUpperCase()] : [])),
  );
  return codes.size === 1 ? [...codes][0]! : null;
}

export function formatterFor(ctx: FormatContext, compact = false): NumberFormatter {
  const notation = compact ? ('compact' as const) : undefined;
  if (ctx.format === 'percent') {
    const nf = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: compact ? 0 : 1 });
    return (v) => nf.format(ctx.fractions ? v : v / 100);
  }
  if (ctx.format === 'currency' && ctx.currency) {
    try {
      const nf = new Intl.NumberFormat(undefined, { style: 'currency', currency: ctx.currency, notation, maximumFractionDigits: compact ? 1 : 2 });
      return (v) => nf.format(v);
    } catch {
      // not a currency Intl knows: plain grouping below
    }
  }
  const nf = new Intl.NumberFormat(undefined, { notation, maximumFractionDigits: compact ? 1 : 2 });
  return (v) => nf.format(v);
}
