import { useState } from 'react';
import type { UserView } from '../../api/types';
import { cx } from '../../lib/cx';

export function initials(name: string | null | undefined, email: string | null | undefined): string {
  const source = name?.trim() || email || '?';
  const parts = source.split(/[\s@.]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

/** The person's picture, or their initials (decorative: the name is always written beside it). */
export function Avatar({ user, className = 'size-8 text-xs' }: { user: Pick<UserView, 'name' | 'email' | 'avatar_url'>; className?: string }) {
  const [broken, setBroken] = useState(false);
  const base = cx('flex shrink-0 items-center justify-center overflow-hidden rounded-full font-semibold', className);
  if (user.avatar_url && !broken) {
    return (
      <img
        src={user.avatar_url}
        alt=""
        referrerPolicy="no-referrer"
        onError={() => setBroken(true)}
        className={cx(base, 'bg-slate-200 object-cover')}
      />
    );
  }
  return (
    <span aria-hidden="true" className={cx(base, 'bg-brand-100 text-brand-700')}>
      {initials(user.name, user.email)}
    </span>
  );
}
