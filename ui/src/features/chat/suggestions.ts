/** Starter questions on an empty conversation; clicking one asks it. */
export const SUGGESTIONS: readonly string[] = [
  'Which deals slipped this quarter?',
  'Show pipeline by stage',
  "Who hasn't met their top accounts in 30 days?",
  'What is our win rate by quarter?',
];
