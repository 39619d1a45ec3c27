import { Ellipsis } from 'lucide-react';
import { type KeyboardEvent, type ReactNode, type Ref, useEffect, useId, useImperativeHandle, useRef, useState } from 'react';
import { cx } from '../../lib/cx';

const ITEM =
  'flex w-full items-center gap-2 rounded-md px-3 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100 focus:bg-slate-100 focus:outline-none disabled:cursor-not-allowed disabled:text-slate-400 disabled:hover:bg-transparent';

export interface MenuEntry {
  key: string;
  label: string;
  icon?: ReactNode;
  onSelect: () => void;
  disabled?: boolean;
  /** A choice among several (the chart kinds): announced as checked or not. */
  checked?: boolean;
  tone?: 'danger';
}

export interface MenuGroup {
  key: string;
  /** Shown above the group and used as its accessible name. */
  label?: string;
  entries: MenuEntry[];
}

export interface MenuButtonHandle {
  focus: () => void;
}

/**
 * A button that opens a menu of actions, keyboard first: Enter, Space or the arrow keys open it,
 * arrows, Home and End move, Escape closes it and returns to the button, Tab leaves it. A chosen
 * action closes the menu and puts focus back on the button.
 */
export function MenuButton({
  label,
  groups,
  handle,
  className,
}: {
  /** Accessible name of the button, e.g. "Options for Pipeline by stage". */
  label: string;
  groups: MenuGroup[];
  handle?: Ref<MenuButtonHandle>;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const id = useId();
  useImperativeHandle(handle, () => ({ focus: () => buttonRef.current?.focus() }), []);

  const items = () => [...(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([disabled])') ?? [])];
  const focusItem = (index: number) => {
    const all = items();
    all[(index + all.length) % all.length]?.focus();
  };

  useEffect(() => {
    if (!open) return;
    focusItem(0);
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const onButtonKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
    }
  };

  const onMenuKey = (event: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 };
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key in moves) {
      event.preventDefault();
      focusItem(moves[event.key]!);
    } else if (event.key === 'Tab') {
      close(false);
    }
  };

  return (
    <div className={cx('relative', className)}>
      <button
        ref={buttonRef}
        type="button"
        id={`${id}-button`}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKey}
        className="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
      >
        <Ellipsis className="size-4" aria-hidden="true" />
      </button>
      {open && (
        <div
          ref={menuRef}
          role="menu"
          id={`${id}-menu`}
          aria-labelledby={`${id}-button`}
          onKeyDown={onMenuKey}
          className="absolute right-0 top-full z-30 mt-1 max-h-[70vh] w-60 overflow-y-auto rounded-lg border border-slate-200 bg-white p-1 shadow-lg"
        >
          {groups.map((group, g) => (
            <div key={group.key} role="group" aria-label={group.label} className={cx(g > 0 && 'mt-1 border-t border-slate-200 pt-1')}>
              {group.label && (
                <p aria-hidden="true" className="px-3 pb-0.5 pt-1 text-xs font-medium text-slate-600">
                  {group.label}
                </p>
              )}
              {group.entries.map((entry) => (
                <button
                  key={entry.key}
                  type="button"
                  role={entry.checked === undefined ? 'menuitem' : 'menuitemradio'}
                  aria-checked={entry.checked}
                  tabIndex={-1}
                  disabled={entry.disabled}
                  onClick={() => {
                    close();
                    entry.onSelect();
                  }}
                  className={cx(ITEM, entry.tone === 'danger' && 'text-rose-800', entry.checked && 'font-medium text-brand-800')}
                >
                  {entry.icon}
                  <span className="min-w-0 flex-1">{entry.label}</span>
                  {entry.checked && <span aria-hidden="true">✓</span>}
                </button>
              ))}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
