// Turns Vitest's and Playwright's JSON reports into counts for `npm test`'s last line.

/** Vitest's `--reporter=json` output → counts, the skipped tests, and whether errors hid outside tests. */
export function vitestCounts(report, root = '') {
  const counts = { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
  // A file that fails to load has no failing test, yet it is a failure.
  const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'));
  counts.failed += brokenFiles.length;
  const skipped = [];
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      if (['skipped', 'pending', 'todo'].includes(test.status)) skipped.push(`${root ? file.name.replace(`${root}/`, '') : file.name} › ${test.fullName}`);
    }
  }
  return { counts, skipped, brokenFiles: brokenFiles.map((file) => file.name) };
}

function collectSkipped(suite, titles, into) {
  const path = suite.title ? [...titles, suite.title] : titles;
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      if (test.status !== 'skipped') continue;
      const reason = (test.annotations ?? []).find((annotation) => annotation.type === 'skip')?.description;
      into.push(`${[...path, spec.title].join(' › ')}${reason ? `: ${reason}` : ''}`);
    }
  }
  for (const child of suite.suites ?? []) collectSkipped(child, path, into);
}

/** Playwright's JSON reporter output → counts (a flaky test passed on retry) and the skipped tests with their reasons. */
export function playwrightCounts(report) {
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats ?? {};
  const skippedTests = [];
  for (const suite of report.suites ?? []) collectSkipped(suite, [], skippedTests);
  return { counts: { passed: expected + flaky, failed: unexpected, skipped }, skipped: skippedTests, errors: (report.errors ?? []).length };
}

export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}
