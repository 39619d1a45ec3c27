import { type SelectHTMLAttributes, useId } from 'react';
import { cx } from '../../lib/cx';

export const ROLE_OPTIONS = [
  { value: 'member', label: 'Member' },
  { value: 'admin', label: 'Admin' },
] as const;

/** A native select styled like TextField; `label` is visible unless `hideLabel`. */
export function SelectField({
  label,
  hideLabel = false,
  hint,
  className,
  children,
  ...rest
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & { label: string; hideLabel?: boolean; hint?: string | null }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className={cx('block text-sm font-medium text-slate-800', hideLabel && 'sr-only')}>
        {label}
      </label>
      <select
        id={id}
        aria-describedby={hintId}
        className={cx(
          'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-600',
          !hideLabel && 'mt-1',
        )}
        {...rest}
      >
        {children}
      </select>
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}
