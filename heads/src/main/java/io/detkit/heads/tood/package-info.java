/**
 * TOOD (Task-aligned One-stage Object Detection): {@link io.detkit.heads.tood.TOODHead}, trained in
 * two phases (ATSS assignment, then task-aligned assignment from the predictions).
 */
package io.detkit.heads.tood;
