import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { describeCode, describeError, sentenceFor } from './errors';

describe('describeError', () => {
  it('uses a sentence as the title and the server message as the detail', () => {
    expect(describeError(new ApiError('forbidden', 'joining by domain needs a verified email address', 403))).toEqual({
      title: "You don't have permission to do that.",
      detail: 'Joining by domain needs a verified email address.',
    });
  });

  it('lets the caller give a code its local meaning', () => {
    const err = new ApiError('unauthorized', 'invalid email or password', 401);
    expect(describeError(err, { unauthorized: "That email and password don't match." }).title).toBe(
      "That email and password don't match.",
    );
  });

  it('says how long to wait when rate limited', () => {
    const err = new ApiError('rate_limited', 'too many requests; retry in 42s', 429, undefined, 42);
    expect(describeError(err).title).toBe("You're going a bit fast. Try again in 42 seconds.");
  });

  it('never shows a raw code alone', () => {
    const unknown = describeError(new ApiError('weird_new_code', '', 500));
    expect(unknown.title).toBe('Something went wrong. Try again in a moment.');
    expect(unknown.detail).toBeNull();
    expect(describeError(new ApiError('internal', 'internal error', 500)).detail).toBeNull();
    expect(describeError(new ApiError('network_error', 'Could not reach the server: x', 0)).title).toMatch(/reach Revtops/);
    expect(describeError('boom').title).toMatch(/Something went wrong/);
  });

  it('maps chat socket codes', () => {
    expect(sentenceFor('model_unavailable')).toMatch(/busy/);
    expect(describeCode('conversation_busy', 'a run is in progress')).toEqual({
      title: 'Revtops is still answering the previous question.',
      detail: 'A run is in progress.',
    });
  });
});
