/**
 * 0.3.2's constructors work with and without `new`. A class cannot be called,
 * so the compat constructors are the class behind a `Proxy` whose `apply`
 * constructs: `Reader(scope, prop)` is `new Reader(scope, prop)`, and
 * `instanceof`, statics and `prototype` are the class's.
 */
// biome-ignore lint/suspicious/noExplicitAny: a constructor of any arguments (as Reflect.construct takes).
type Constructor = new (...args: any[]) => object;

/** `C`, also callable without `new`. */
export type Callable<C extends Constructor> = C &
  ((...args: ConstructorParameters<C>) => InstanceType<C>);

export function callable<C extends Constructor>(Class: C): Callable<C> {
  const handler: ProxyHandler<C> = {
    apply: (target, _self, args) => Reflect.construct(target, args),
  };
  return new Proxy(Class, handler) as Callable<C>;
}
