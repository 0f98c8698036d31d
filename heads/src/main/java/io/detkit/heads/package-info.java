/** Dense detection heads: targets, losses, gradients and predictions. */
package io.detkit.heads;
