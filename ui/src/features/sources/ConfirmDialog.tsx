import type { ReactNode } from 'react';
import { ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';

export interface ConfirmDialogProps {
  open: boolean;
  /** The dialog's accessible name, e.g. "Disconnect HubSpot". */
  label: string;
  title: string;
  children: ReactNode;
  confirmText: string;
  busyText: string;
  tone?: 'danger' | 'primary';
  busy: boolean;
  error: unknown;
  errorOverrides?: Partial<Record<string, string>>;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before a consequential action (disconnecting, re-reading everything). */
export function ConfirmDialog({
  open,
  label,
  title,
  children,
  confirmText,
  busyText,
  tone = 'danger',
  busy,
  error,
  errorOverrides,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} label={label} className="w-full max-w-md bg-transparent">
      <div className="m-4 rounded-xl bg-white p-5 shadow-xl">
        <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
        <div className="mt-2 space-y-2 text-sm text-slate-700">{children}</div>
        {Boolean(error) && <ErrorAlert error={error} overrides={errorOverrides} className="mt-3" />}
        <div className="mt-5 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant={tone} busy={busy} onClick={onConfirm}>
            {busy ? busyText : confirmText}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
