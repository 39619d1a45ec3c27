import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { Button } from '../../components/Button';
import { cx } from '../../lib/cx';

/**
 * A dashboard's name being edited in place: Enter or Save keeps it, Escape or Cancel drops it.
 * An unchanged or empty name is not sent.
 */
export function RenameField({
  initial,
  label,
  busy,
  onSave,
  onCancel,
  large = false,
}: {
  initial: string;
  /** Accessible name of the field. */
  label: string;
  busy: boolean;
  onSave: (title: string) => void;
  onCancel: () => void;
  large?: boolean;
}) {
  const [value, setValue] = useState(initial);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const title = value.trim();
    if (title && title !== initial) onSave(title);
    else onCancel();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    }
  };

  return (
    <form onSubmit={submit} className="flex min-w-0 flex-1 flex-wrap items-center gap-2">
      <input
        ref={ref}
        aria-label={label}
        value={value}
        maxLength={200}
        required
        readOnly={busy}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={onKeyDown}
        className={cx(
          'min-w-0 flex-1 rounded-md border border-brand-500 bg-white px-2 py-1 text-slate-900',
          large ? 'text-xl font-semibold' : 'text-sm',
        )}
      />
      <Button type="submit" busy={busy}>
        {busy ? 'Saving…' : 'Save'}
      </Button>
      <Button variant="secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
    </form>
  );
}
