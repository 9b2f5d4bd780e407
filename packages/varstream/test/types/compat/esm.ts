// Type-checked by compat-types.test.ts against the built declarations: the
// 0.3.2 API as an ES module consumer writes it.
import { createReadStream, createWriteStream } from 'node:fs';
import VarStream, {
  type CompatError,
  VarStreamCompatSyntaxError,
  VarStreamReader,
  VarStreamWriter,
} from '@varstream/varstream/compat';

const rootScope: { tree?: unknown } = {};
const shared: VarStream = new VarStream(rootScope, 'tree');
createReadStream('vars.dat').pipe(shared, { end: false });
VarStream(rootScope, 'tree').pipe(createWriteStream('vars.dat'));
VarStream(rootScope, 'tree', VarStream.Reader.STRICT_MODE | VarStream.Writer.MERGE_ARRAYS).on(
  'data',
  (chunk: Buffer) => chunk.toString(),
);

const value: unknown = VarStream.parse('a=1\n');
VarStream.parse(Buffer.from('a=1\n'));
const text: string = VarStream.stringify(value);

const reader: VarStreamReader = new VarStream.Reader(
  rootScope,
  'tree',
  VarStreamReader.STRICT_MODE,
);
VarStream.VarStreamReader(rootScope, 'tree').read(Buffer.from(text));
const writer: VarStreamWriter = VarStreamWriter(
  (line: string) => line.length,
  VarStreamWriter.OPTIONS,
);
new VarStream.Writer(() => {}).write({ a: 1 }, 'prefix');

try {
  reader.read('a b=1\n');
  writer.write(1);
} catch (error) {
  if (error instanceof VarStreamCompatSyntaxError) {
    const e: CompatError = error;
    const where: [number | undefined, number | undefined] = [e.line, e.column];
    const code: string = e.code;
    console.log(where, code, e.cause.message);
  }
}

// @ts-expect-error: the root property name is a string
new VarStream(rootScope, 5);
// @ts-expect-error: parse takes text or bytes
VarStream.parse(42);
