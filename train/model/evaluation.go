package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Metric is a score that may be undefined: ROC AUC of a fold whose held-out
// side has one class, the mean of an empty calibration bin. Undefined is NaN
// in Go and null in JSON (JSON has no NaN), so a report shows "n/a" instead
// of a misleading number.
type Metric float64

// Valid reports whether m is a finite number.
func (m Metric) Valid() bool { return !math.IsNaN(float64(m)) && !math.IsInf(float64(m), 0) }

// MarshalJSON writes m as a number, or null when it is not finite.
func (m Metric) MarshalJSON() ([]byte, error) {
	if !m.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(m), 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (m *Metric) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*m = Metric(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("metric %q: %w", b, err)
	}
	*m = Metric(v)
	return nil
}

// Evaluation is the held-out assessment of a training recipe. Every number
// comes from rows the scoring model did not see: each row is predicted by
// the fold model trained without it, and the pooled predictions are scored.
type Evaluation struct {
	Classes []string `json:"classes"`
	// PositiveClass indexes Classes for binary problems; curves,
	// calibration and the threshold refer to it.
	PositiveClass int `json:"positive_class"`
	// Threshold is the decision threshold on the positive class probability
	// (binary); null for multi-class models, which predict the argmax.
	Threshold Metric    `json:"threshold"`
	Split     SplitInfo `json:"split"`
	// Rows is the number of held-out predictions scored.
	Rows             int           `json:"rows"`
	Accuracy         float64       `json:"accuracy"`
	BalancedAccuracy float64       `json:"balanced_accuracy"`
	Macro            PRF           `json:"macro"`
	Weighted         PRF           `json:"weighted"`
	PerClass         []ClassReport `json:"per_class"`
	// ROCAUC is the positive class AUC (binary) or the one-vs-rest macro
	// average over classes (multi-class). Tied scores count one half, as
	// the Mann-Whitney statistic and scikit-learn do.
	ROCAUC Metric `json:"roc_auc"`
	// PRAUC is the average precision, sum over thresholds of
	// (R_n - R_{n-1}) P_n (scikit-learn's average_precision_score, no
	// interpolation); binary: positive class, multi-class: macro average.
	PRAUC Metric `json:"pr_auc"`
	// Curves holds ROC and precision-recall curves, downsampled to at most
	// MaxCurvePoints points each: the positive class only for binary
	// problems, one curve per class (one-vs-rest) otherwise.
	Curves      []ClassCurves `json:"curves"`
	Confusion   Confusion     `json:"confusion"`
	Calibration Calibration   `json:"calibration"`
	// Importance is per feature, in schema order.
	Importance []FeatureImportance `json:"importance"`
	// PermutationMetric names the score whose drop permutation importance
	// measures; PermutationRepeats the shuffles per feature and fold.
	PermutationMetric  string        `json:"permutation_metric"`
	PermutationRepeats int           `json:"permutation_repeats"`
	Folds              []FoldMetrics `json:"folds"`
	// Warnings lists conditions that weaken the numbers above (a fold whose
	// training side lacks a class, a class with fewer rows than folds, ...).
	Warnings []string `json:"warnings,omitempty"`
}

// MaxCurvePoints bounds the points stored per curve.
const MaxCurvePoints = 200

// PRF is a precision, recall, F1 triple.
type PRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// ClassReport is the one-vs-rest view of one class. Precision is 0 when the
// class was never predicted, recall 0 when it never occurs (scikit-learn's
// zero_division=0).
type ClassReport struct {
	Class     string  `json:"class"`
	Support   int     `json:"support"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	ROCAUC    Metric  `json:"roc_auc"`
	PRAUC     Metric  `json:"pr_auc"`
}

// ClassCurves holds the curves of one class against the rest.
type ClassCurves struct {
	Class string     `json:"class"`
	ROC   []ROCPoint `json:"roc"`
	PR    []PRPoint  `json:"pr"`
}

// ROCPoint is one operating point: rows scoring >= Threshold are predicted
// positive. The first point (0, 0) has an infinite threshold, stored as null.
type ROCPoint struct {
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
	Threshold Metric  `json:"threshold"`
}

// PRPoint is one precision-recall point; the final (recall 0, precision 1)
// point has no threshold.
type PRPoint struct {
	Recall    float64 `json:"recall"`
	Precision float64 `json:"precision"`
	Threshold Metric  `json:"threshold"`
}

// Confusion counts held-out rows by true class (row) and predicted class
// (column), both in Labels order.
type Confusion struct {
	Labels []string `json:"labels"`
	Matrix [][]int  `json:"matrix"`
}

// Calibration compares predicted probabilities with observed frequencies.
// Binary: the positive class probability against the positive rate.
// Multi-class: the top-label confidence against accuracy.
type Calibration struct {
	// Of names what was binned ("P(malicious)" or "top-label confidence").
	Of   string           `json:"of"`
	Bins []CalibrationBin `json:"bins"`
	// Brier is the mean squared error of the probabilities: (p - y)^2 for
	// binary problems, the sum over classes of (p_k - y_k)^2 otherwise
	// (Brier's original multi-class form).
	Brier float64 `json:"brier"`
}

// CalibrationBin is one reliability bin [Lower, Upper) (the last bin
// includes 1). Empty bins have null means.
type CalibrationBin struct {
	Lower         float64 `json:"lower"`
	Upper         float64 `json:"upper"`
	Count         int     `json:"count"`
	MeanPredicted Metric  `json:"mean_predicted"`
	Observed      Metric  `json:"observed"`
}

// FeatureImportance gives both views of a feature's importance. Impurity
// (mean decrease in impurity over the fold models, normalised to sum to 1)
// is cheap but favours features with many distinct values and is measured
// on training rows; permutation importance is the drop of the held-out
// score when the feature's held-out values are shuffled, mean and standard
// deviation over folds and repeats.
type FeatureImportance struct {
	Feature         string  `json:"feature"`
	Impurity        float64 `json:"impurity"`
	PermutationMean Metric  `json:"permutation_mean"`
	PermutationStd  Metric  `json:"permutation_std"`
}

// SplitInfo records how rows were divided into training and held-out sides.
type SplitInfo struct {
	// Method is "stratified-kfold", "group-kfold" or "holdout" (the rows
	// the user set aside, scored once: Folds is 1).
	Method string `json:"method"`
	Folds  int    `json:"folds"`
	// GroupKey names the grouping (capture file, host pair, ...); Groups is
	// the number of distinct groups (held-out groups for "holdout"). A
	// group's rows are never on both sides.
	GroupKey string `json:"group_key,omitempty"`
	Groups   int    `json:"groups,omitempty"`
	Seed     uint64 `json:"seed"`
}

// FoldMetrics are the scores of one fold's held-out side.
type FoldMetrics struct {
	Fold       int     `json:"fold"`
	TrainRows  int     `json:"train_rows"`
	TestRows   int     `json:"test_rows"`
	TestGroups int     `json:"test_groups,omitempty"`
	Accuracy   float64 `json:"accuracy"`
	MacroF1    float64 `json:"macro_f1"`
	ROCAUC     Metric  `json:"roc_auc"`
	PRAUC      Metric  `json:"pr_auc"`
}

// WriteJSON writes e as indented JSON, the standalone form the report
// renderer reads.
func (e *Evaluation) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("encode evaluation: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write evaluation: %w", err)
	}
	return nil
}

// ReadEvaluation reads the JSON written by [Evaluation.WriteJSON].
func ReadEvaluation(r io.Reader) (*Evaluation, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read evaluation: %w", err)
	}
	var e Evaluation
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("decode evaluation: %w", err)
	}
	return &e, nil
}
