import { beforeEach, describe, expect, it } from 'vitest';
import { currentToken, hasLiveSession, useSession } from './sessionStore';

beforeEach(() => {
  useSession.setState({ token: null, expiresAt: null, endedNotice: false });
});

describe('session store', () => {
  it('keeps the token and its expiry', () => {
    useSession.getState().signIn('tok', '2099-01-01T00:00:00Z');
    expect(useSession.getState()).toMatchObject({ token: 'tok', expiresAt: Date.parse('2099-01-01T00:00:00Z') });
    expect(currentToken()).toBe('tok');
  });

  it('treats an expired token as no session', () => {
    useSession.getState().signIn('tok', Date.now() - 1000);
    expect(currentToken()).toBeNull();
    expect(hasLiveSession({ token: 'tok', expiresAt: 2000 }, 1000)).toBe(true);
    expect(hasLiveSession({ token: 'tok', expiresAt: 2000 }, 2000)).toBe(false);
    expect(hasLiveSession({ token: null, expiresAt: null })).toBe(false);
  });

  it('an ended session leaves a note for the sign-in page; signing out does not', () => {
    useSession.getState().signIn('tok', '2099-01-01T00:00:00Z');
    useSession.getState().endSession();
    expect(useSession.getState()).toMatchObject({ token: null, endedNotice: true });

    useSession.getState().signIn('tok', '2099-01-01T00:00:00Z');
    expect(useSession.getState().endedNotice).toBe(false);
    useSession.getState().signOut();
    expect(useSession.getState()).toMatchObject({ token: null, endedNotice: false });
  });

  it('ending a session that is already over does nothing', () => {
    useSession.getState().endSession();
    expect(useSession.getState().endedNotice).toBe(false);
  });
});
