// pg-boss's src/tools.js for the test run (see jest-resolver.cjs): identical, except
// that node:timers/promises is required when the module loads, not on every call.
const { setTimeout } = require('node:timers/promises');

function delay(ms, error) {
  const ac = new AbortController();
  const promise = new Promise((resolve, reject) => {
    setTimeout(ms, null, { signal: ac.signal })
      .then(() => (error ? reject(new Error(error)) : resolve()))
      .catch(resolve);
  });
  promise.abort = () => {
    if (!ac.signal.aborted) ac.abort();
  };
  return promise;
}

module.exports = { delay };
