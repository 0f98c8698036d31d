/**
 * The argument checks every public entry point of detkit shares: named limits on the counts that
 * size an allocation or a loop ({@link io.detkit.core.check.Limits}) and scalar checks
 * ({@link io.detkit.core.check.Args}). Array checks (shapes, dtypes, finiteness of elements) live in
 * {@link io.detkit.core.tensor.Tensors}. Every check throws {@link java.lang.IllegalArgumentException}
 * with a message that names the argument, what was expected and what came.
 */
package io.detkit.core.check;
