/**
 * A sync's error text (what the server stored on the run or the integration) → a sentence a
 * sales manager understands and what to do about it. The raw text stays available to the page
 * (a details disclosure) for whoever has to fix it.
 *
 * The patterns follow what the server writes: connector errors (`authentication failed: …`,
 * `rate limit exhausted: …`, `HubSpot /path: HTTP 502 …(gave up after N attempts)`), Nango
 * errors and the engine's own (`syncing x is not available in this build`, `the run stopped its
 * worker N times; giving up`).
 */

export type SyncErrorKind =
  | 'auth'
  | 'daily_limit'
  | 'throttled'
  | 'timeout'
  | 'unreachable'
  | 'upstream'
  | 'permission'
  | 'nango_setup'
  | 'connection_gone'
  | 'disconnected'
  | 'not_available'
  | 'worker'
  | 'storage'
  | 'unknown';

export interface SyncErrorText {
  kind: SyncErrorKind;
  /** What happened, in plain words. */
  title: string;
  /** What to do next. */
  hint: string;
  /** The provider limited us: shown as "throttled", not as a plain failure. */
  throttled: boolean;
}

interface Rule {
  kind: SyncErrorKind;
  test: RegExp;
  title: (name: string) => string;
  hint: (name: string) => string;
}

const RULES: Rule[] = [
  {
    kind: 'nango_setup',
    test: /NANGO_SECRET_KEY|Nango refused the secret key/i,
    title: () => 'The connection service (Nango) is not set up correctly on this server.',
    hint: () => 'Ask whoever runs Revtops to check the Nango settings.',
  },
  {
    kind: 'connection_gone',
    test: /Nango does not know this connection|has no Nango connection|reconnect it/i,
    title: (n) => `The connection to ${n} no longer exists.`,
    hint: (n) => `An administrator needs to connect ${n} again.`,
  },
  {
    kind: 'not_available',
    test: /not available (?:in this build|yet)/i,
    title: (n) => `Syncing ${n} is not available in this version of Revtops yet.`,
    hint: () => 'The connection is kept; data will come in once a later version supports it.',
  },
  {
    kind: 'disconnected',
    test: /integration is disconnected|is not connected/i,
    title: (n) => `${n} was disconnected, so the sync stopped.`,
    hint: (n) => `Connect ${n} again to bring its data up to date.`,
  },
  {
    kind: 'daily_limit',
    test: /rate limit exhausted|\bDAILY\b/i,
    title: (n) => `${n}’s daily limit on requests is used up.`,
    hint: (n) => `Revtops will carry on once ${n} allows it again, usually the next day. Nothing needs to be done.`,
  },
  {
    kind: 'throttled',
    test: /\b429\b|rate.?limit|too many requests|TEN_SECONDLY/i,
    title: (n) => `${n} asked Revtops to slow down and kept refusing requests.`,
    hint: () => 'Try again in a few minutes; the next scheduled sync also picks up where this one stopped.',
  },
  {
    kind: 'auth',
    test: /authentication failed|\b401\b|invalid[_ ]?(?:token|grant|credentials)|unauthori[sz]ed|token (?:has )?expired|refresh.*(?:fail|token)/i,
    title: (n) => `${n} no longer accepts Revtops’ access.`,
    hint: (n) => `An administrator needs to reconnect ${n} (the access may have been revoked or the password changed).`,
  },
  {
    kind: 'permission',
    test: /\b403\b|forbidden|missing.{0,20}scopes?|insufficient|not allowed|permission/i,
    title: (n) => `The ${n} account Revtops uses is not allowed to read some of the data.`,
    hint: (n) => `Reconnect ${n} with an account that can see your CRM data.`,
  },
  {
    kind: 'timeout',
    test: /timed? ?out|timeout|deadline/i,
    title: (n) => `${n} took too long to answer.`,
    hint: () => 'Try again; it usually works on a second attempt.',
  },
  {
    kind: 'unreachable',
    test: /unreachable|could not connect|connection (?:refused|reset|closed)|dns|resolve|network|tls|certificate|reading the response failed/i,
    title: (n) => `Revtops could not reach ${n}.`,
    hint: () => 'This is usually temporary. Try again in a few minutes.',
  },
  {
    kind: 'upstream',
    test: /\b5\d\d\b|gave up after|server error|unexpected (?:answer|response|listing)|invalid JSON/i,
    title: (n) => `${n} had a problem on its side, so the sync stopped.`,
    hint: () => 'Try again later; what was already synced is kept.',
  },
  {
    kind: 'worker',
    test: /stopped its worker|giving up|no longer owned/i,
    title: () => 'The sync was interrupted several times and gave up.',
    hint: () => 'Try again; if it keeps happening, tell whoever runs Revtops.',
  },
  {
    kind: 'storage',
    test: /database|sql|postgres|pool/i,
    title: () => 'Revtops could not save the synced data.',
    hint: () => 'Try again; if it keeps happening, tell whoever runs Revtops.',
  },
];

/** Describes a sync error of `providerName` (e.g. "HubSpot"). */
export function explainSyncError(raw: string, providerName: string): SyncErrorText {
  for (const rule of RULES) {
    if (rule.test.test(raw)) {
      return {
        kind: rule.kind,
        title: rule.title(providerName),
        hint: rule.hint(providerName),
        throttled: rule.kind === 'daily_limit' || rule.kind === 'throttled',
      };
    }
  }
  return {
    kind: 'unknown',
    title: `The last sync of ${providerName} failed.`,
    hint: 'Try again; if it keeps failing, the technical details below help whoever runs Revtops.',
    throttled: false,
  };
}
