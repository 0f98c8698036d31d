/** Shared foundations of detkit: boxes, IoU, configs, registries, priors, coders, assigners, NMS. */
package io.detkit.core;
