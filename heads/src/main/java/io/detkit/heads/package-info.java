/**
 * Dense detection heads of MMDetection 2.x: {@link io.detkit.heads.AnchorHead},
 * {@link io.detkit.heads.RPNHead}, {@link io.detkit.heads.RetinaHead} and
 * {@link io.detkit.heads.ATSSHead}, built from MMDetection config dicts through
 * {@link io.detkit.heads.Heads#REGISTRY} or from Java builders ({@code Heads.retinaHead()}, ...).
 *
 * <p>A head takes the raw NCHW outputs of its convolutions ({@link io.detkit.heads.HeadOutputs}),
 * per-image annotations ({@link io.detkit.heads.GroundTruth}) and image metas
 * ({@link io.detkit.heads.ImageMeta}), and computes
 * <ul>
 *   <li>training targets ({@link io.detkit.heads.HeadTargets}, per image
 *       {@link io.detkit.heads.ImageTargets}): anchors inside each image, assignment, sampling,
 *       encoded box targets, label and box weights;
 *   <li>the loss dict with one entry per level and the gradient of its total with respect to every
 *       raw output ({@link io.detkit.heads.HeadLoss});
 *   <li>detections ({@link io.detkit.heads.Detections}): MMDetection's {@code get_bboxes}.
 * </ul>
 * Boxes are (x1, y1, x2, y2) in pixels throughout. Results follow MMDetection 2.25 to float32
 * round-off; float64 outputs are computed in float64.
 *
 * <p>{@link io.detkit.heads.AnchorHead} is the front; its parts are
 * {@link io.detkit.heads.AnchorGrid}, {@link io.detkit.heads.OutputChecks},
 * {@link io.detkit.heads.TargetBuilder}, {@link io.detkit.heads.LossComputer} and
 * {@link io.detkit.heads.Predictor}. A custom head overrides the hooks {@code AnchorHead} documents
 * (assignment, per-image and per-batch targets, per-level losses, post-processing), builds with a
 * self-typed {@link io.detkit.heads.HeadBuilder}, and uses the public helpers
 * {@link io.detkit.heads.GradAccumulator}, {@link io.detkit.heads.Layout},
 * {@link io.detkit.heads.ImagesToLevels} and {@link io.detkit.core.precision.Precision}; the package
 * {@code io.detkit.heads.examples} holds worked extensions. See {@code docs/customize_losses.md} and
 * {@code docs/architecture.md}.
 */
package io.detkit.heads;
