// The package loads with CommonJS `require` (by name, through package.json "exports").
const { test } = require('node:test')
const assert = require('node:assert/strict')

test('require("faultdesk") exposes the Desk, the engines and the version', () => {
  const fd = require('faultdesk')
  assert.equal(typeof fd.Desk.open, 'function')
  assert.equal(typeof fd.Correlator, 'function')
  assert.equal(fd.version(), require('../package.json').version)
  assert.equal(fd.mapSeverityToPriority('major'), 'high')
})
