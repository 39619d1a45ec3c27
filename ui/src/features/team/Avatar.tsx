import { useState } from 'react';
import type { UserView } from '../../api/types';
import { cx } from '../../lib/cx';

export function initials(name: string | null | undefined, email: string | null | undefined): string {
  const source = name?.trim() || email || '?';
  const parts = source.split(/[\s@.]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

export interface AvatarProps {
  user: Pick<UserView, 'name' | 'email' | 'avatar_url'>;
  className?: string;
  /** The picture's text (none for the initials). Empty, the default, where the name is written beside it. */
  alt?: string;
  /** The colours of the initials shown without a picture (e.g. on the dark sidebar). */
  fallbackClassName?: string;
}

/**
 * The person's picture (`avatar_url`: uploaded to this server, or from their Google account), or
 * their initials when there is none or it does not load.
 */
export function Avatar({ user, className = 'size-8 text-xs', alt = '', fallbackClassName = 'bg-brand-100 text-brand-700' }: AvatarProps) {
  // Remembered per address: a new picture gets its own chance to load.
  const [broken, setBroken] = useState<string | null>(null);
  const base = cx('flex shrink-0 items-center justify-center overflow-hidden rounded-full font-semibold', className);
  if (user.avatar_url && user.avatar_url !== broken) {
    const src = user.avatar_url;
    return (
      <img
        src={src}
        alt={alt}
        referrerPolicy="no-referrer"
        onError={() => setBroken(src)}
        className={cx(base, 'bg-slate-200 object-cover')}
      />
    );
  }
  // Initials are decoration: the name is always written nearby.
  return (
    <span aria-hidden="true" className={cx(base, fallbackClassName)}>
      {initials(user.name, user.email)}
    </span>
  );
}
