/** Positive and negative sampling (the seed's step 1): MMDetection's samplers, reproducible. */
package io.detkit.samplers;
