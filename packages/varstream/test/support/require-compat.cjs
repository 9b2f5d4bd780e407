// Run by compat-cjs.test.ts in a plain CommonJS Node process: the 2013 way of
// using varstream, with `require('varstream')` replaced by the compat entry.
// Prints one JSON report; the test compares it with 0.3.2's.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const which = process.argv[2];
const VarStream = require(which === 'ours' ? '@varstream/varstream/compat' : 'varstream');
const shared = path.join(__dirname, '..', 'fixtures', 'varstream-0.3.2');

const report = {
  resolved: require.resolve(which === 'ours' ? '@varstream/varstream/compat' : 'varstream'),
  type: typeof VarStream,
  aliases:
    VarStream.Reader === VarStream.VarStreamReader &&
    VarStream.Writer === VarStream.VarStreamWriter,
  flags: [
    VarStream.Reader.STRICT_MODE,
    VarStream.Writer.MORPH_CONTEXTS,
    VarStream.Writer.MERGE_ARRAYS,
  ],
  parsed: VarStream.parse(fs.readFileSync(path.join(shared, 'fixtures', '6-arrays.dat'))),
  text: VarStream.stringify({ a: [1, { b: 'é' }], c: null }),
};
try {
  new VarStream.Reader({}, 'p', VarStream.Reader.STRICT_MODE).read('a..b=1\n');
} catch (error) {
  report.strict = { name: error.name, message: error.message };
}
const lines = [];
new VarStream.Writer((line) => lines.push(line), VarStream.Writer.OPTIONS).write({
  r: [{ x: 1, y: 2 }],
});
report.lines = lines;

// The WebSockIPC server: vars.dat piped in with { end: false }, then the tree piped out.
const rootScope = {};
const sharedStream = new VarStream(rootScope, 'tree');
const source = fs.createReadStream(path.join(shared, 'websockipc-vars.dat'));
source.pipe(sharedStream, { end: false });
source.on('end', () => {
  setImmediate(() => {
    const chunks = [];
    VarStream(rootScope, 'tree')
      .on('data', (chunk) => chunks.push(chunk))
      .on('end', () => {
        report.tree = rootScope;
        report.saved = Buffer.concat(chunks).toString();
        process.stdout.write(JSON.stringify(report));
      });
  });
});
