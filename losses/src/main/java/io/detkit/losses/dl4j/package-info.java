/**
 * Adapters that let DL4J networks train with detkit's losses: {@link
 * io.detkit.losses.dl4j.DetkitLossFunction} implements ND4J's {@code ILossFunction} around any
 * registered loss. Needs nd4j-api only; DL4J itself is not a dependency of the library.
 */
package io.detkit.losses.dl4j;
