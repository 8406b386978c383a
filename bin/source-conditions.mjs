// Module hooks for running Attune from its TypeScript sources: `attune`, `attune/data`, … resolve
// through package.json's `attune-source` condition to the .ts entry points, so built-in and
// third-party plugins share one copy of the kernel with the CLI.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('attune-source') ? context.conditions : [...context.conditions, 'attune-source'];
  return nextResolve(specifier, { ...context, conditions });
}
