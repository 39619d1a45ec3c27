/** Where to go after signing in: only same-site paths (never `//host` or a full URL). */
export function safeNextPath(raw: string | null | undefined, fallback = '/chat'): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  if (raw.startsWith('/sign-in') || raw.startsWith('/sign-up') || raw.startsWith('/auth/callback')) return fallback;
  return raw;
}
