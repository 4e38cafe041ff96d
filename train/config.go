package train

import (
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"flowsift/train/internal/detmath"
)

// Split criteria.
const (
	Gini    = "gini"
	Entropy = "entropy"
)

// Class weighting modes.
const (
	WeightNone     = "none"
	WeightBalanced = "balanced"
	WeightExplicit = "explicit"
)

// Evaluation split methods.
const (
	SplitAuto       = "auto"
	SplitStratified = "stratified-kfold"
	SplitGroup      = "group-kfold"
	// SplitHoldout trains on the rows Dataset.Holdout leaves out and
	// scores the rows it marks: one fixed split chosen by the user, such
	// as whole captures set aside for testing.
	SplitHoldout = "holdout"
)

// Config controls forest fitting and evaluation. Defaults follow
// scikit-learn's RandomForestClassifier where the concepts match.
type Config struct {
	// Trees is the number of trees (n_estimators).
	Trees int
	// Criterion is Gini or Entropy.
	Criterion string
	// MaxFeatures is how many features each split considers: "sqrt",
	// "log2", "all", a fraction with a decimal point ("0.33") or a count
	// ("12").
	MaxFeatures string
	// MaxDepth limits tree depth; 0 grows until leaves are pure.
	MaxDepth        int
	MinSamplesSplit int
	MinSamplesLeaf  int
	// Bootstrap trains each tree on n rows drawn with replacement (and
	// enables the out-of-bag estimate); otherwise on every row.
	Bootstrap bool
	// ClassWeight is WeightNone, WeightBalanced (n / (k * n_class), from the
	// whole training set) or WeightExplicit with ClassWeights by class name
	// (classes not named get weight 1).
	ClassWeight  string
	ClassWeights map[string]float64
	// MaxBins is the number of quantile bins per feature used to find
	// splits (2..255); a dedicated extra bin holds missing values.
	MaxBins int
	// Seed drives bootstrap, feature sampling and fold assignment.
	Seed uint64
	// Workers is the number of trees grown at once; 0 means GOMAXPROCS.
	// The result does not depend on it.
	Workers int
	// Threshold is the decision threshold on the positive class probability
	// of a binary model.
	Threshold float64
	// PositiveClass names the class a binary model alerts on; "" picks the
	// second class (index 1).
	PositiveClass string

	// Split is SplitAuto (holdout when the dataset marks held-out rows,
	// else group k-fold when it has groups, else stratified k-fold),
	// SplitStratified, SplitGroup or SplitHoldout.
	Split string
	// Folds is k for k-fold evaluation.
	Folds int
	// GroupKey names what Dataset.Groups holds ("capture", "host-pair"),
	// for the record.
	GroupKey string
	// PermutationRepeats is the number of shuffles per feature and fold;
	// 0 skips permutation importance.
	PermutationRepeats int
	// CalibrationBins is the number of reliability bins.
	CalibrationBins int
	// Logger receives progress at debug level; nil discards it.
	Logger *slog.Logger
}

// DefaultConfig returns scikit-learn's RandomForestClassifier defaults (100
// trees, Gini, sqrt features, unlimited depth, min_samples_split 2,
// min_samples_leaf 1, bootstrap) and 5-fold evaluation.
func DefaultConfig() Config {
	return Config{
		Trees:              100,
		Criterion:          Gini,
		MaxFeatures:        "sqrt",
		MinSamplesSplit:    2,
		MinSamplesLeaf:     1,
		Bootstrap:          true,
		ClassWeight:        WeightNone,
		MaxBins:            255,
		Seed:               1,
		Threshold:          0.5,
		Split:              SplitAuto,
		Folds:              5,
		PermutationRepeats: 5,
		CalibrationBins:    10,
	}
}

// Validate reports the first setting out of range.
func (c Config) Validate() error {
	switch {
	case c.Trees < 1:
		return fmt.Errorf("%w: trees %d (want >= 1)", ErrConfig, c.Trees)
	case c.Criterion != Gini && c.Criterion != Entropy:
		return fmt.Errorf("%w: criterion %q (want %q or %q)", ErrConfig, c.Criterion, Gini, Entropy)
	case c.MaxDepth < 0:
		return fmt.Errorf("%w: max depth %d (want >= 0)", ErrConfig, c.MaxDepth)
	case c.MinSamplesSplit < 2:
		return fmt.Errorf("%w: min samples split %d (want >= 2)", ErrConfig, c.MinSamplesSplit)
	case c.MinSamplesLeaf < 1:
		return fmt.Errorf("%w: min samples leaf %d (want >= 1)", ErrConfig, c.MinSamplesLeaf)
	case c.MaxBins < 2 || c.MaxBins > maxValueBins:
		return fmt.Errorf("%w: max bins %d (want 2..%d)", ErrConfig, c.MaxBins, maxValueBins)
	case c.Workers < 0:
		return fmt.Errorf("%w: workers %d (want >= 0)", ErrConfig, c.Workers)
	case !(c.Threshold >= 0 && c.Threshold <= 1):
		return fmt.Errorf("%w: threshold %v (want 0..1)", ErrConfig, c.Threshold)
	case c.Split != SplitAuto && c.Split != SplitStratified && c.Split != SplitGroup && c.Split != SplitHoldout:
		return fmt.Errorf("%w: split %q (want %q, %q, %q or %q)", ErrConfig, c.Split, SplitAuto, SplitStratified, SplitGroup, SplitHoldout)
	case c.Folds < 2:
		return fmt.Errorf("%w: folds %d (want >= 2)", ErrConfig, c.Folds)
	case c.PermutationRepeats < 0:
		return fmt.Errorf("%w: permutation repeats %d (want >= 0)", ErrConfig, c.PermutationRepeats)
	case c.CalibrationBins < 1:
		return fmt.Errorf("%w: calibration bins %d (want >= 1)", ErrConfig, c.CalibrationBins)
	}
	if _, err := featuresPerSplit(c.MaxFeatures, 1); err != nil {
		return err
	}
	switch c.ClassWeight {
	case WeightNone, WeightBalanced:
		if len(c.ClassWeights) != 0 {
			return fmt.Errorf("%w: class weights given with class weight %q (want %q)", ErrConfig, c.ClassWeight, WeightExplicit)
		}
	case WeightExplicit:
		if len(c.ClassWeights) == 0 {
			return fmt.Errorf("%w: class weight %q without class weights", ErrConfig, WeightExplicit)
		}
		// Sorted, so that with several bad weights the same one is named.
		for _, name := range slices.Sorted(maps.Keys(c.ClassWeights)) {
			if w := c.ClassWeights[name]; !(w > 0) || math.IsInf(w, 0) {
				return fmt.Errorf("%w: class %q weight %v (want > 0)", ErrConfig, name, c.ClassWeights[name])
			}
		}
	default:
		return fmt.Errorf("%w: class weight %q (want %q, %q or %q)", ErrConfig, c.ClassWeight, WeightNone, WeightBalanced, WeightExplicit)
	}
	return nil
}

// featuresPerSplit resolves MaxFeatures for nf features; nf=1 only checks
// the syntax.
func featuresPerSplit(spec string, nf int) (int, error) {
	var k int
	switch spec {
	case "sqrt":
		k = int(math.Sqrt(float64(nf)))
	case "log2":
		k = int(detmath.Log2(float64(nf)))
	case "all":
		k = nf
	default:
		if strings.Contains(spec, ".") {
			f, err := strconv.ParseFloat(spec, 64)
			if err != nil || !(f > 0 && f <= 1) {
				return 0, fmt.Errorf("%w: max features %q (fraction must be in (0, 1])", ErrConfig, spec)
			}
			k = int(f * float64(nf))
		} else {
			n, err := strconv.Atoi(spec)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("%w: max features %q (want sqrt, log2, all, a fraction or a positive count)", ErrConfig, spec)
			}
			k = n
		}
	}
	return min(max(k, 1), nf), nil
}

// IsolationConfig controls isolation forest fitting. Defaults are the
// paper's (and scikit-learn's): ψ = 256, t = 100, depth limit ceil(log2 ψ).
type IsolationConfig struct {
	Trees int
	// Subsample is ψ, rows drawn without replacement per tree (fewer when
	// the baseline is smaller).
	Subsample int
	// MaxDepth limits tree depth; 0 means ceil(log2 ψ), the average depth
	// of an unbalanced tree beyond which only normal points would remain.
	MaxDepth int
	// Quantile of the baseline's scores that becomes the alert threshold.
	Quantile float64
	Seed     uint64
	// Workers is the number of trees grown at once; 0 means GOMAXPROCS.
	Workers int
}

// DefaultIsolationConfig returns ψ = 256, 100 trees and a threshold at the
// 0.995 quantile of baseline scores.
func DefaultIsolationConfig() IsolationConfig {
	return IsolationConfig{Trees: 100, Subsample: 256, Quantile: 0.995, Seed: 1}
}

// Validate reports the first setting out of range.
func (c IsolationConfig) Validate() error {
	switch {
	case c.Trees < 1:
		return fmt.Errorf("%w: isolation trees %d (want >= 1)", ErrConfig, c.Trees)
	case c.Subsample < 2:
		return fmt.Errorf("%w: isolation subsample %d (want >= 2)", ErrConfig, c.Subsample)
	case c.MaxDepth < 0:
		return fmt.Errorf("%w: isolation max depth %d (want >= 0)", ErrConfig, c.MaxDepth)
	case !(c.Quantile > 0 && c.Quantile < 1):
		return fmt.Errorf("%w: isolation quantile %v (want in (0, 1))", ErrConfig, c.Quantile)
	case c.Workers < 0:
		return fmt.Errorf("%w: workers %d (want >= 0)", ErrConfig, c.Workers)
	}
	return nil
}
