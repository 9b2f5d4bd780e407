/**
 * Typed documents: `connect<MySchema>()` gives `get`, `set` and `subscribe`
 * typed paths (`'form.firstname'`, `'list.3.name'`) and values. Paths are
 * written with dots; keys that need quotes, and depths past 8, fall back to
 * `string`. An untyped document (`unknown`) takes any string.
 */

type Depth = [never, 0, 1, 2, 3, 4, 5, 6, 7];

type Join<K extends string | number, Rest> = [Rest] extends [never]
  ? `${K}`
  : `${K}` | `${K}.${Rest & string}`;

/** Every path of `T`, as dotted text. */
export type Paths<T, D extends number = 8> = [D] extends [never]
  ? never
  : T extends readonly (infer E)[]
    ? Join<number, Paths<E, Depth[D]>>
    : T extends object
      ? { [K in keyof T & string]-?: Join<K, Paths<NonNullable<T[K]>, Depth[D]>> }[keyof T & string]
      : never;

/** The type of the value at path `P` of `T`. */
export type PathValue<T, P extends string> = P extends ''
  ? T
  : P extends `${infer Head}.${infer Rest}`
    ? PathValue<Child<T, Head>, Rest>
    : Child<T, P>;

type Child<T, K extends string> = T extends readonly (infer E)[]
  ? K extends `${number}` | '*'
    ? E
    : undefined
  : T extends object
    ? K extends keyof T
      ? NonNullable<T[K]>
      : undefined
    : undefined;

/** Paths accepted for a document of schema `S`: any string when `S` is unknown. */
export type DocPath<S> = unknown extends S ? string : '' | Paths<S>;

/** The value at a path of a document of schema `S`. */
export type DocValue<S, P> = unknown extends S
  ? unknown
  : P extends string
    ? PathValue<S, P>
    : unknown;

/** The element type of an array value (for `push`). */
export type ElementOf<V> = V extends readonly (infer E)[] ? E : unknown;
