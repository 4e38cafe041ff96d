package model

import (
	"fmt"
)

// FormatVersion is the model file format version this package writes. It
// changes whenever a reader of the previous version could misread a file.
const FormatVersion = 1

// FeatureSchema names the features of a row, in column order, and the version
// of the code that computes them. A model only accepts rows built by the same
// schema.
type FeatureSchema struct {
	Version string   `json:"version"`
	Names   []string `json:"names"`
}

// Model is a trained classifier and/or anomaly detector together with
// everything needed to reproduce and judge it. Forest or Anomaly may be nil,
// not both.
type Model struct {
	// FormatVersion is the file format version the model was read from. Save
	// ignores it and always writes [FormatVersion].
	FormatVersion int           `json:"format_version"`
	Schema        FeatureSchema `json:"schema"`
	// Classes names the classifier's outputs: PredictProba's out[k] is the
	// probability of Classes[k].
	Classes []string `json:"classes,omitempty"`
	// PositiveClass is the index in Classes that a binary model alerts on.
	PositiveClass int `json:"positive_class"`
	// Threshold is the decision threshold on the positive class probability
	// for binary models (see [Model.Classify]).
	Threshold  float64      `json:"threshold"`
	Params     *Hyperparams `json:"params,omitempty"`
	Seed       uint64       `json:"seed"`
	Provenance *Provenance  `json:"provenance,omitempty"`
	// OOB is the out-of-bag estimate from the final fit (nil without
	// bootstrap).
	OOB *OOBSummary `json:"oob,omitempty"`
	// ImpurityImportance is the final forest's mean decrease in impurity per
	// feature, normalised to sum to 1, aligned with Schema.Names.
	ImpurityImportance []float64 `json:"impurity_importance,omitempty"`
	// Evaluation is the held-out evaluation of the training recipe.
	Evaluation *Evaluation      `json:"evaluation,omitempty"`
	Forest     *Forest          `json:"-"`
	Anomaly    *IsolationForest `json:"anomaly,omitempty"`
}

// Hyperparams records how the forest was grown, resolved to concrete values.
type Hyperparams struct {
	Trees            int    `json:"trees"`
	Criterion        string `json:"criterion"`
	MaxFeatures      string `json:"max_features"`
	FeaturesPerSplit int    `json:"features_per_split"`
	// MaxDepth is 0 for unlimited depth.
	MaxDepth        int  `json:"max_depth"`
	MinSamplesSplit int  `json:"min_samples_split"`
	MinSamplesLeaf  int  `json:"min_samples_leaf"`
	Bootstrap       bool `json:"bootstrap"`
	// ClassWeight is "none", "balanced" or "explicit"; ClassWeights holds the
	// resulting weight per class.
	ClassWeight  string    `json:"class_weight"`
	ClassWeights []float64 `json:"class_weights"`
	MaxBins      int       `json:"max_bins"`
	// Missing documents how NaN values were handled during training.
	Missing string `json:"missing"`
}

// Provenance ties a model to the data it was trained on.
type Provenance struct {
	Inputs []InputFile `json:"inputs,omitempty"`
	Rows   int         `json:"rows"`
	// ClassRows counts rows per class, aligned with Model.Classes.
	ClassRows []int `json:"class_rows"`
	// GroupKey names what a group is (capture file, host pair, ...).
	GroupKey string      `json:"group_key,omitempty"`
	Groups   []GroupRows `json:"groups,omitempty"`
}

// InputFile identifies one file the training rows came from.
type InputFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
	// Rows is the number of training rows taken from the file (0 when the
	// caller did not count them).
	Rows int `json:"rows"`
}

// GroupRows counts the rows of one group, in total and per class.
type GroupRows struct {
	Group     string `json:"group"`
	Rows      int    `json:"rows"`
	ClassRows []int  `json:"class_rows"`
}

// OOBSummary is the out-of-bag estimate: each training row scored only by
// the trees whose bootstrap sample missed it. The out-of-bag error is
// 1 - Accuracy.
type OOBSummary struct {
	// Rows is the number of rows that were out of bag for at least one tree.
	Rows     int     `json:"rows"`
	Accuracy float64 `json:"accuracy"`
	// ROCAUC is the positive class AUC for binary models, the one-vs-rest
	// macro AUC otherwise.
	ROCAUC Metric `json:"roc_auc"`
}

// CheckSchema returns nil when s equals the model's feature schema, and an
// error wrapping [ErrSchemaMismatch] naming the first difference otherwise.
func (m *Model) CheckSchema(s FeatureSchema) error {
	if s.Version != m.Schema.Version {
		return fmt.Errorf("%w: schema version %q, model expects %q", ErrSchemaMismatch, s.Version, m.Schema.Version)
	}
	for i := range min(len(s.Names), len(m.Schema.Names)) {
		if s.Names[i] != m.Schema.Names[i] {
			return fmt.Errorf("%w: feature %d is %q, model expects %q", ErrSchemaMismatch, i, s.Names[i], m.Schema.Names[i])
		}
	}
	switch {
	case len(s.Names) < len(m.Schema.Names):
		return fmt.Errorf("%w: %d features, model expects %d (first missing: %q)",
			ErrSchemaMismatch, len(s.Names), len(m.Schema.Names), m.Schema.Names[len(s.Names)])
	case len(s.Names) > len(m.Schema.Names):
		return fmt.Errorf("%w: %d features, model expects %d (first extra: %q)",
			ErrSchemaMismatch, len(s.Names), len(m.Schema.Names), s.Names[len(m.Schema.Names)])
	}
	return nil
}

// PredictProba writes the class probabilities of one row into out
// (len(Classes)). It allocates nothing.
func (m *Model) PredictProba(row []float32, out []float64) error {
	if m.Forest == nil {
		return ErrNoForest
	}
	return m.Forest.Mean(row, out)
}

// PredictBatch scores column-major rows, cols[feature][row], writing
// out[class][row], on every CPU (bit-identical to one); out's columns must
// have the input's row count. It allocates per call, never per row.
func (m *Model) PredictBatch(cols [][]float32, out [][]float64) error {
	if m.Forest == nil {
		return ErrNoForest
	}
	return m.Forest.MeanBatchParallel(cols, out, 0)
}

// Classify turns class probabilities into a class index: for a binary model
// the positive class when its probability reaches Threshold, otherwise the
// most probable class (the lowest index on ties).
func (m *Model) Classify(proba []float64) int {
	if len(proba) == 2 && (m.PositiveClass == 0 || m.PositiveClass == 1) {
		if proba[m.PositiveClass] >= m.Threshold {
			return m.PositiveClass
		}
		return 1 - m.PositiveClass
	}
	best := 0
	for k, p := range proba {
		if p > proba[best] {
			best = k
		}
	}
	return best
}

// AnomalyScore returns the isolation forest score of one row, in (0, 1];
// scores above Anomaly.Threshold are unusual relative to the baseline.
func (m *Model) AnomalyScore(row []float32) (float64, error) {
	if m.Anomaly == nil {
		return 0, ErrNoAnomaly
	}
	return m.Anomaly.Score(row)
}

// AnomalyScores scores column-major rows into out (one score per row).
func (m *Model) AnomalyScores(cols [][]float32, out []float64) error {
	if m.Anomaly == nil {
		return ErrNoAnomaly
	}
	return m.Anomaly.ScoreBatch(cols, out)
}

// Explain names the features that made row unusual; see
// [IsolationForest.Explain] for the method.
func (m *Model) Explain(row []float32) ([]Contribution, error) {
	if m.Anomaly == nil {
		return nil, ErrNoAnomaly
	}
	return m.Anomaly.Explain(row, m.Schema.Names)
}

// Validate checks that the model's parts agree with each other: the schema
// has as many features as the trees use, the classes match the leaf width,
// and the positive class and threshold are usable.
func (m *Model) Validate() error {
	if m.Forest == nil && m.Anomaly == nil {
		return fmt.Errorf("%w: neither classifier nor anomaly detector", ErrInvalid)
	}
	nf := len(m.Schema.Names)
	if nf == 0 {
		return fmt.Errorf("%w: empty feature schema", ErrInvalid)
	}
	if f := m.Forest; f != nil {
		if f.features != nf {
			return fmt.Errorf("%w: forest uses %d features, schema has %d", ErrInvalid, f.features, nf)
		}
		if f.width != len(m.Classes) || len(m.Classes) < 2 {
			return fmt.Errorf("%w: %d classes for leaf width %d", ErrInvalid, len(m.Classes), f.width)
		}
		if m.PositiveClass < 0 || m.PositiveClass >= len(m.Classes) {
			return fmt.Errorf("%w: positive class %d of %d", ErrInvalid, m.PositiveClass, len(m.Classes))
		}
		if !(m.Threshold >= 0 && m.Threshold <= 1) {
			return fmt.Errorf("%w: threshold %v outside [0, 1]", ErrInvalid, m.Threshold)
		}
	}
	if a := m.Anomaly; a != nil {
		if a.forest == nil {
			return fmt.Errorf("%w: anomaly detector has no trees", ErrInvalid)
		}
		if err := a.validate(nf); err != nil {
			return err
		}
	}
	if m.ImpurityImportance != nil && len(m.ImpurityImportance) != nf {
		return fmt.Errorf("%w: %d importances for %d features", ErrInvalid, len(m.ImpurityImportance), nf)
	}
	return nil
}
