/** Starter questions shown on an empty chat (they fill the composer; nothing is sent by itself). */
export const SUGGESTIONS: readonly string[] = [
  'What does our pipeline look like by stage?',
  'Which deals are expected to close this month?',
  'Who are the top reps by won revenue this quarter?',
  'Which large deals have had no activity in the last two weeks?',
];
