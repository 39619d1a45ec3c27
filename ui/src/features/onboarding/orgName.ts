/** Helpers for naming a new organization after the user's email domain. */

/** Common public mail providers: their domains never name or identify a company. */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'live.com', 'msn.com',
  'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com',
  'proton.me', 'protonmail.com', 'pm.me', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com',
  'zoho.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', 'fastmail.com', 'hey.com',
  'orange.fr', 'free.fr', 'laposte.net', 'libero.it', 't-online.de', 'comcast.net', 'verizon.net',
]);

/** Second-level suffixes under which the company name is one label further left. */
const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc', 'ne', 'or']);

export function emailDomain(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const domain = email.slice(at + 1).trim().toLowerCase();
  return domain.includes('.') ? domain : null;
}

export function isPublicMailDomain(domain: string): boolean {
  return PUBLIC_MAIL_DOMAINS.has(domain.toLowerCase());
}

/** `acme.com` → "Acme", `sales.acme-corp.co.uk` → "Acme Corp"; "" for public mail providers. */
export function suggestOrgName(domain: string | null): string {
  if (!domain || isPublicMailDomain(domain)) return '';
  const labels = domain.toLowerCase().split('.').filter(Boolean);
  if (labels.length < 2) return '';
  let index = labels.length - 2;
  if (labels.length >= 3 && SECOND_LEVEL.has(labels[index]!) && labels[labels.length - 1]!.length === 2) index -= 1;
  const label = labels[index] ?? '';
  return label
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
