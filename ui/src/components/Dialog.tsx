import { type ReactNode, useEffect, useRef } from 'react';
import { cx } from '../lib/cx';

export interface DialogProps {
  open: boolean;
  onClose: () => void;
  /** Accessible name of the dialog. */
  label: string;
  children: ReactNode;
  className?: string;
}

/**
 * A modal on the native <dialog> element: showModal() traps focus, Escape closes it, and focus
 * returns to where it was. Clicking the backdrop closes it too.
 */
export function Dialog({ open, onClose, label, children, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-label={label}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
      className={cx('backdrop:bg-slate-900/50', className)}
    >
      {open && children}
    </dialog>
  );
}
