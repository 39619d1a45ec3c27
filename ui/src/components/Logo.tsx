import { useId } from 'react';

export function LogoMark({ className = 'size-8' }: { className?: string }) {
  // Unique per instance: a gradient defined inside a hidden (display:none) copy would not render.
  const gradientId = useId();
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={className}>
      <defs>
        <linearGradient id={gradientId} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#6366f1" />
          <stop offset="1" stopColor="#0ea5e9" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="7" fill={`url(#${gradientId})`} />
      <path d="M7 22 L13 15 L18 19 L25 10" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      <circle cx="25" cy="10" r="2.2" fill="#fff" />
    </svg>
  );
}

/** Logo with the product name, for pages without the sidebar. */
export function Brand() {
  return (
    <div className="flex items-center gap-2.5">
      <LogoMark className="size-8" />
      <span className="text-xl font-semibold tracking-tight text-slate-900">Revtops</span>
    </div>
  );
}
