import type { StateStorage } from 'zustand/middleware';

const memory = new Map<string, string>();

const memoryStorage: StateStorage = {
  getItem: (key) => memory.get(key) ?? null,
  setItem: (key, value) => void memory.set(key, value),
  removeItem: (key) => void memory.delete(key),
};

/** localStorage when the browser allows it (not in some private modes), else memory. */
export function browserStorage(): StateStorage {
  try {
    if (typeof localStorage !== 'undefined') {
      localStorage.getItem('revtops.probe');
      return localStorage;
    }
  } catch {
    // blocked: fall back to memory
  }
  return memoryStorage;
}
