/** MMDetection's loss family on the five-step pipeline, with analytic gradients. */
package io.detkit.losses;
