import { beforeEach, describe, expect, it } from 'vitest';
import { NEW_CONVERSATION, useDrafts } from './draftsStore';

beforeEach(() => useDrafts.setState({ drafts: {} }));

describe('drafts', () => {
  it('keeps one draft per conversation and forgets empty ones', () => {
    const { setDraft } = useDrafts.getState();
    setDraft(NEW_CONVERSATION, 'Top deals this quarter');
    setDraft('c1', 'And by rep?');
    expect(useDrafts.getState().drafts).toEqual({ new: 'Top deals this quarter', c1: 'And by rep?' });
    setDraft('c1', '   ');
    expect(useDrafts.getState().drafts).toEqual({ new: 'Top deals this quarter' });
    useDrafts.getState().clearDraft(NEW_CONVERSATION);
    expect(useDrafts.getState().drafts).toEqual({});
  });
});
