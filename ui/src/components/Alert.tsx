import { AlertCircle, CheckCircle2, Info } from 'lucide-react';
import type { ReactNode } from 'react';
import { cx } from '../lib/cx';
import { type ErrorText, describeError } from '../lib/errors';

type Tone = 'error' | 'info' | 'success';

const TONES: Record<Tone, { box: string; icon: typeof Info }> = {
  error: { box: 'border-rose-200 bg-rose-50 text-rose-900', icon: AlertCircle },
  info: { box: 'border-sky-200 bg-sky-50 text-sky-900', icon: Info },
  success: { box: 'border-emerald-200 bg-emerald-50 text-emerald-900', icon: CheckCircle2 },
};

export interface AlertProps {
  tone?: Tone;
  title: string;
  detail?: string | null;
  children?: ReactNode;
  className?: string;
}

/** A message box. Errors are announced (role="alert"); other tones are polite. */
export function Alert({ tone = 'error', title, detail, children, className }: AlertProps) {
  const { box, icon: Icon } = TONES[tone];
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} className={cx('flex gap-3 rounded-md border p-3 text-sm', box, className)}>
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <div className="min-w-0">
        <p className="font-medium">{title}</p>
        {detail && <p className="mt-0.5 opacity-90">{detail}</p>}
        {children}
      </div>
    </div>
  );
}

/** An error described in plain words (see lib/errors). */
export function ErrorAlert({
  error,
  overrides,
  text,
  children,
  className,
}: {
  error?: unknown;
  overrides?: Partial<Record<string, string>>;
  text?: ErrorText;
  children?: ReactNode;
  className?: string;
}) {
  const { title, detail } = text ?? describeError(error, overrides);
  return (
    <Alert title={title} detail={detail} className={className}>
      {children}
    </Alert>
  );
}
