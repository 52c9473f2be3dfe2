// Jest resolver: the default one, except for pg-boss's src/tools.js.
// pg-boss requires 'node:timers/promises' lazily inside delay(); when a polling delay
// starts after Jest tore a test file's environment down, that require returns
// undefined and fails the suite. The shim requires it once, at load time.
const path = require('node:path');

module.exports = (request, options) => {
  const resolved = options.defaultResolver(request, options);
  if (resolved.endsWith(`${path.sep}pg-boss${path.sep}src${path.sep}tools.js`)) {
    return path.join(__dirname, 'pg-boss-tools.cjs');
  }
  return resolved;
};
