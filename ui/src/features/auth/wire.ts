import { configureApiAuth } from '../../api/client';
import { currentToken, useSession } from './sessionStore';

/** Connects the REST client to the session: it sends the token and a 401 ends the session. */
export function wireApiToSession(): void {
  configureApiAuth({
    getToken: currentToken,
    onSessionEnded: () => useSession.getState().endSession(),
  });
}
