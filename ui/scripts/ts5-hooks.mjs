// Module resolution hook for the API generator: openapi-typescript 7 imports `typescript` and needs
// the 5.x compiler API, while the app type-checks with TypeScript 7 (which has no JS API). The 5.x
// compiler is installed under the alias `typescript-5`; this hook points the generator at it.
export async function resolve(specifier, context, next) {
  if (specifier === 'typescript') return next('typescript-5', context);
  return next(specifier, context);
}
