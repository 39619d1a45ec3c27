import { ChevronsUpDown, LogOut, UserRound } from 'lucide-react';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { cx } from '../../lib/cx';
import { useMe, useSignOut } from '../auth/hooks';
import { Avatar } from '../team/Avatar';

const ITEM = 'flex w-full items-center gap-2 rounded-md px-3 py-2 text-sm text-slate-800 hover:bg-slate-100 focus:bg-slate-100';

/**
 * The signed-in user (name, email, organization), their profile and Sign out, as a menu button: Enter, Space or
 * the arrow keys open it, Escape closes it and returns focus to the button.
 */
export function UserMenu({ compact = false }: { compact?: boolean }) {
  const { data: me } = useMe();
  const signOut = useSignOut();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const id = useId();
  const user = me?.user;
  const org = me?.organization;
  const label = user?.name || user?.email || 'Your account';

  const items = () => [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
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
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      focusItem(at + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      focusItem(at - 1);
    } else if (event.key === 'Home') {
      event.preventDefault();
      focusItem(0);
    } else if (event.key === 'End') {
      event.preventDefault();
      focusItem(all.length - 1);
    } else if (event.key === 'Tab') {
      close(false);
    }
  };

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        aria-label={compact ? `Account: ${label}` : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onButtonKey}
        className={cx(
          'flex w-full items-center gap-3 rounded-md px-2 py-2 text-left text-sm text-slate-200 hover:bg-slate-800',
          compact && 'justify-center',
        )}
      >
        <Avatar user={user ?? { name: null, email: null }} className="size-8 text-xs" fallbackClassName="bg-brand-600 text-white" />
        {!compact && (
          <>
            <span className="min-w-0 flex-1">
              <span className="block truncate font-medium text-white">{label}</span>
              {org && <span className="block truncate text-xs text-slate-300">{org.name}</span>}
            </span>
            <ChevronsUpDown className="size-4 shrink-0 text-slate-300" aria-hidden="true" />
          </>
        )}
      </button>

      {open && (
        <div
          ref={menuRef}
          onKeyDown={onMenuKey}
          className="absolute bottom-full left-0 z-50 mb-2 w-64 rounded-lg border border-slate-200 bg-white p-1 text-slate-900 shadow-lg"
        >
          <div className="px-3 py-2">
            <p className="truncate text-sm font-medium">{user?.name || 'Signed in'}</p>
            {user?.email && <p className="truncate text-xs text-slate-600">{user.email}</p>}
            {org && (
              <p className="mt-1 truncate text-xs text-slate-600">
                {org.name}
                {user?.role === 'admin' ? ' · Administrator' : ' · Member'}
              </p>
            )}
          </div>
          <div className="my-1 border-t border-slate-200" />
          <div role="menu" id={`${id}-menu`} aria-labelledby={`${id}-button`}>
            <Link to="/profile" role="menuitem" tabIndex={-1} onClick={() => close(false)} className={ITEM}>
              <UserRound className="size-4" aria-hidden="true" />
              Your profile
            </Link>
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              onClick={() => {
                setOpen(false);
                signOut.mutate();
              }}
              className={ITEM}
            >
              <LogOut className="size-4" aria-hidden="true" />
              Sign out
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
