// Writes drafts and attempts through the real store as fast as it can and acknowledges each one
// on stdout only after the call that committed it has returned. Killed with SIGKILL by crash.test.ts.
import { writeSync } from 'node:fs';
import { ProgressStore } from '../../../backend/store/progress-store.ts';

const [dbPath, profileId, firstSeq] = process.argv.slice(2);
const store = ProgressStore.open(dbPath);
if (store.getProfile(profileId) === null) store.createProfile({ id: profileId, name: 'Crash Test' });
writeSync(1, 'ready\n');

const result = (exercise: string, n: number) => ({
  exercise, passed: n % 3 === 0, score: n % 6, maxScore: 5 + (n % 6),
  checks: [{ name: 'registers', passed: n % 3 === 0, message: `case ${n}` }], diagnostics: [],
});
for (let seq = Number(firstSeq); ; seq++) {
  const exercise = `ex-${(seq >> 1) % 4}`;
  if (seq % 2 === 0) {
    store.saveDraft(profileId, exercise, `; draft ${seq}\nmov %rax, (%rdi)\n`);
    writeSync(1, `D ${exercise} ${seq}\n`);
  } else {
    const attempt = store.recordAttempt(profileId, { id: exercise, versionHash: `v${seq % 3}` }, `; attempt ${seq}\n`, result(exercise, seq), '0.1.0');
    writeSync(1, `A ${attempt.id}\n`);
  }
}
