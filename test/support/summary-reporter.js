// Prints one plain closing line ("Tests: N passed, N failed, N skipped") after Jest's
// own summary, so CI logs can be read without knowing Jest's format.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
