// Package train fits flowsift's Random Forest classifier and Isolation
// Forest anomaly detector and evaluates them without fooling their user.
// The model file format and inference live in package flowsift/train/model,
// which the detect and render stages import instead of this package.
//
// A CLI training run is:
//
//	d := &train.Dataset{Schema: schema, X: cols, Y: labels, Classes: names, Groups: captureIDs}
//	cfg := train.DefaultConfig()
//	res, err := train.Fit(ctx, d, cfg)         // final model on every row, with OOB estimate
//	ev, err := train.Evaluate(ctx, d, cfg)     // held-out evaluation of the same recipe
//	res.Model.Evaluation = ev
//	res.Model.Anomaly, err = train.FitIsolation(ctx, benignCols, train.DefaultIsolationConfig())
//	err = res.Model.SaveFile(path)             // and ev.WriteJSON for the report
//
// # Input
//
// A [Dataset]: column-major float32 features (X[feature][row], NaN for a
// missing value, as nullable Parquet columns arrive), class indices, class
// names, optional group names (capture file, host pair) and optional source
// files for provenance ([DescribeFile]).
//
// # Output
//
// [Fit] returns a *model.Model with the forest, resolved hyperparameters,
// seed, provenance (inputs with sha256, rows per class and per group),
// impurity importance and the out-of-bag estimate, plus the out-of-bag
// probabilities per row. [Evaluate] returns a *model.Evaluation: accuracy,
// balanced accuracy, per-class and macro/weighted precision, recall and F1,
// ROC AUC and average precision, ROC and precision-recall curves, confusion
// matrix, reliability bins and Brier score, impurity and held-out
// permutation importance, per-fold scores and warnings. [FitIsolation]
// returns a *model.IsolationForest with its threshold and baseline
// percentiles.
//
// # Method
//
// Trees are CART trees grown to purity by default (scikit-learn's
// RandomForestClassifier defaults: 100 trees, Gini, sqrt(features) per
// split, bootstrap). Split search is histogram based: each feature is cut
// into at most MaxBins quantile bins (edges from at most 200,000 rows) and
// stored as uint8 codes, so a node's split search is one pass over its rows
// per candidate feature plus a pass over the occupied bins. Thresholds are
// stored as real float32 values in the middle of the gap between the bins
// they separate, so inference needs no binning. Class statistics are
// integer counts of bootstrap draws per class, multiplied by the class
// weights only when a split is scored or a leaf written, so sums are exact
// in any order and each row costs four bytes in the inner loop. Leaves hold
// class frequencies (weighted by bootstrap counts and class weights) and
// prediction averages them over trees.
//
// Missing values get a bin of their own. At each split both placements are
// scored and NaN goes to the side that lowers impurity most; "all values
// versus missing" is a candidate too. When a node saw no NaN for the chosen
// feature, NaN goes to the child with more training weight. The direction
// is stored per node (model.FlagMissingLeft). This is what histogram
// gradient boosting (LightGBM, scikit-learn's HistGradientBoosting) does.
//
// Evaluation splits rows into k folds, stratified by class or, when the
// dataset has groups, by group (scikit-learn's GroupKFold: a group's rows
// are all on one side), which keeps near-duplicate flows of one capture or
// one attack session from inflating the score. Every metric is computed on
// held-out predictions. ROC AUC treats tied scores as scikit-learn does
// (equal to the Mann-Whitney statistic with ties counted one half).
//
// # Invariants
//
//   - Determinism: the same Dataset and Config (Workers aside) give the
//     same model bytes and the same evaluation on any machine and with any
//     worker count. Every tree, fold shuffle and permutation draws from its
//     own PCG stream derived from Seed; trees are assembled and reduced in
//     tree order; no result depends on map order or goroutine scheduling.
//     Floating-point products that feed sums are rounded explicitly
//     (float64(x*y)) so no compiler fuses them into FMA instructions, and
//     logarithms and powers come from flowsift/train/internal/detmath, not
//     from math, whose assembly differs between architectures.
//     TestGoldenModelDigest pins the resulting bytes.
//   - No panics across the API; bad input returns an error wrapping
//     [ErrConfig], [ErrDataset] or [ErrTooFewGroups].
//   - Memory is the binned data (one byte per value), per-worker buffers of
//     a few bytes per row, and the trees themselves.
package train
