// Type-checked by compat-types.test.ts against the built declarations: the
// 0.3.2 API as a CommonJS consumer writes it (`require` resolves to dist/cjs).
import VarStream = require('@varstream/varstream/compat');

const root: Record<string, unknown> = {};
const stream: VarStream = new VarStream(root, 'prop');
stream.write('a=1\n');
const tree: unknown = VarStream.parse('a=1\n');
const text: string = VarStream.stringify({ tree });
new VarStream.Reader(root, 'prop', VarStream.Reader.OPTIONS).read(text);
VarStream.Writer((line: string) => line, VarStream.Writer.MORPH_CONTEXTS).write(root);
