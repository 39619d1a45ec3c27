/**
 * Unsent chat drafts, per conversation (`NEW_CONVERSATION` for the empty chat), persisted in this
 * browser. They survive reloads and an ended session; signing out on purpose clears them.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { browserStorage } from '../../lib/storage';

export const NEW_CONVERSATION = 'new';

interface DraftsState {
  drafts: Record<string, string>;
  setDraft: (conversationKey: string, text: string) => void;
  clearDraft: (conversationKey: string) => void;
  clearAll: () => void;
}

export const useDrafts = create<DraftsState>()(
  persist(
    (set) => ({
      drafts: {},
      setDraft: (key, text) =>
        set((s) => {
          const drafts = { ...s.drafts };
          if (text.trim().length === 0) delete drafts[key];
          else drafts[key] = text;
          return { drafts };
        }),
      clearDraft: (key) =>
        set((s) => {
          if (!(key in s.drafts)) return s;
          const drafts = { ...s.drafts };
          delete drafts[key];
          return { drafts };
        }),
      clearAll: () => set({ drafts: {} }),
    }),
    { name: 'revtops.drafts', storage: createJSONStorage(browserStorage) },
  ),
);

export const useDraft = (conversationKey: string) => useDrafts((s) => s.drafts[conversationKey] ?? '');
