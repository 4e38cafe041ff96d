package model

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"flowsift/train/internal/detmath"
)

// BaselineQuantiles is the number of points in a feature's baseline quantile
// grid: the 0th, 1st, ..., 100th percentile.
const BaselineQuantiles = 101

// eulerGamma is the Euler-Mascheroni constant used by the harmonic number
// approximation of the isolation forest paper.
const eulerGamma = 0.5772156649015329

// AveragePathLength is c(n) of Liu, Ting and Zhou (2008): the average path
// length of an unsuccessful search in a binary search tree of n points,
// 2H(n-1) - 2(n-1)/n with H(i) approximated by ln(i) + γ. It normalises
// isolation depths and completes the depth of leaves holding n > 1 points.
// It is computed with platform-independent arithmetic because trained
// leaves store it.
func AveragePathLength(n int) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	return float64(2*(detmath.Log(float64(n-1))+eulerGamma)) - 2*float64(n-1)/float64(n)
}

// FeatureBaseline summarises one feature over the baseline rows, so that an
// explanation can say where a value sits.
type FeatureBaseline struct {
	// Missing is the fraction of baseline rows where the feature was NaN.
	Missing float64 `json:"missing"`
	// Quantiles holds BaselineQuantiles values (percentiles 0..100) of the
	// non-missing values, or nothing when every baseline value was missing.
	Quantiles []float32 `json:"quantiles"`
}

// IsolationForest is an anomaly detector (Liu, Ting, Zhou 2008) fitted on
// baseline rows. Its trees hold, per leaf, the path length depth + c(size),
// and per node the number of subsample rows that reached it.
type IsolationForest struct {
	Trees int `json:"trees"`
	// Subsample is ψ, the rows drawn per tree; c(ψ) normalises scores.
	Subsample int    `json:"subsample"`
	MaxDepth  int    `json:"max_depth"`
	Seed      uint64 `json:"seed"`
	// Quantile is the fraction of baseline scores at or below Threshold.
	Quantile float64 `json:"quantile"`
	// Threshold is the score above which a row is called anomalous.
	Threshold    float64           `json:"threshold"`
	BaselineRows int               `json:"baseline_rows"`
	Baseline     []FeatureBaseline `json:"baseline,omitempty"`

	forest *Forest
}

// NewIsolationForest validates isolation trees (one value per leaf, sizes on
// every node) and wraps them. The caller fills in the threshold and baseline.
func NewIsolationForest(numFeatures int, trees []Tree, subsample int) (*IsolationForest, error) {
	for t, tr := range trees {
		if tr.Sizes == nil {
			return nil, fmt.Errorf("%w: isolation tree %d has no node sizes", ErrInvalid, t)
		}
	}
	f, err := NewForest(numFeatures, 1, trees)
	if err != nil {
		return nil, err
	}
	a := &IsolationForest{Trees: len(trees), Subsample: subsample, forest: f}
	if subsample < 2 {
		return nil, fmt.Errorf("%w: subsample %d (want >= 2)", ErrInvalid, subsample)
	}
	return a, nil
}

// Forest returns the isolation trees.
func (a *IsolationForest) Forest() *Forest { return a.forest }

func (a *IsolationForest) validate(nf int) error {
	f := a.forest
	if f.features != nf || f.width != 1 || f.sizes == nil {
		return fmt.Errorf("%w: isolation forest shape (%d features, width %d, sizes %t), schema has %d features",
			ErrInvalid, f.features, f.width, f.sizes != nil, nf)
	}
	if a.Trees != f.NumTrees() {
		return fmt.Errorf("%w: isolation forest declares %d trees, holds %d", ErrInvalid, a.Trees, f.NumTrees())
	}
	if a.Subsample < 2 {
		return fmt.Errorf("%w: subsample %d", ErrInvalid, a.Subsample)
	}
	if !(a.Quantile >= 0 && a.Quantile <= 1) || math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0) {
		return fmt.Errorf("%w: quantile %v, threshold %v", ErrInvalid, a.Quantile, a.Threshold)
	}
	if a.Baseline != nil && len(a.Baseline) != nf {
		return fmt.Errorf("%w: baseline for %d features, schema has %d", ErrInvalid, len(a.Baseline), nf)
	}
	for j, b := range a.Baseline {
		if len(b.Quantiles) != 0 && len(b.Quantiles) != BaselineQuantiles {
			return fmt.Errorf("%w: feature %d baseline has %d quantiles", ErrInvalid, j, len(b.Quantiles))
		}
		for i := 1; i < len(b.Quantiles); i++ {
			if !(b.Quantiles[i] >= b.Quantiles[i-1]) {
				return fmt.Errorf("%w: feature %d baseline quantiles not sorted", ErrInvalid, j)
			}
		}
	}
	return nil
}

// scoreOf maps a mean path length to the anomaly score 2^(-E[h]/c(ψ)).
func (a *IsolationForest) scoreOf(meanPath float64) float64 {
	return detmath.Exp2(-meanPath / AveragePathLength(a.Subsample))
}

// Score returns s = 2^(-E[h(x)]/c(ψ)) for one row: near 1 for rows isolated
// quickly, below 0.5 for rows deep inside the baseline.
func (a *IsolationForest) Score(row []float32) (float64, error) {
	var h [1]float64
	if err := a.forest.Mean(row, h[:]); err != nil {
		return 0, err
	}
	return a.scoreOf(h[0]), nil
}

// ScoreBatch scores column-major rows into out without allocating.
func (a *IsolationForest) ScoreBatch(cols [][]float32, out []float64) error {
	if err := a.forest.MeanBatch(cols, [][]float64{out}); err != nil {
		return err
	}
	for i, h := range out {
		out[i] = a.scoreOf(h)
	}
	return nil
}

// Contribution is one feature's share in making a row unusual.
type Contribution struct {
	Feature string
	Index   int
	Value   float32
	// Weight is the feature's share of the row's isolation; the weights of
	// one explanation sum to 1.
	Weight float64
	// Rank is the approximate fraction of baseline values below Value, NaN
	// when Value is missing or the baseline has no values for the feature.
	Rank float64
	// Baseline says in words where Value sits in the baseline distribution.
	Baseline string
}

// MarshalJSON writes NaN Value and Rank as null.
func (c Contribution) MarshalJSON() ([]byte, error) {
	var v *float32
	if !math.IsNaN(float64(c.Value)) {
		v = &c.Value
	}
	return json.Marshal(struct {
		Feature  string   `json:"feature"`
		Index    int      `json:"index"`
		Value    *float32 `json:"value"`
		Weight   float64  `json:"weight"`
		Rank     Metric   `json:"rank"`
		Baseline string   `json:"baseline"`
	}{c.Feature, c.Index, v, c.Weight, Metric(c.Rank), c.Baseline})
}

// Explain attributes a row's anomaly score to features and returns the
// features with a non-zero share, largest first.
//
// Method: an isolation tree isolates a row by the splits on its path, and a
// split does more isolating the more of the node's rows it separates from
// the row. A split on feature f that takes the row from a node of n training
// rows into a child of m rows contributes log2(n/m) to f: the bits of
// isolation it provides (the terms telescope to log2(ψ/leaf size) along the
// path, so nothing is double counted). Each tree's contributions are
// weighted by 1/h, the inverse of the row's path length in that tree, so
// that trees which isolate the row quickly, the evidence for an anomaly,
// count most. The weighted sums are normalised to sum to 1. Each feature's
// value is then placed in the baseline's percentile grid (Rank, Baseline),
// so a reader sees both which features isolated the row and how far outside
// the usual range they were.
func (a *IsolationForest) Explain(row []float32, names []string) ([]Contribution, error) {
	f := a.forest
	if len(row) != f.features {
		return nil, fmt.Errorf("%w: row has %d features, model %d", ErrShape, len(row), f.features)
	}
	w := make([]float64, f.features)
	path := make([]float64, f.features)
	for t := range f.roots {
		clear(path)
		i := f.roots[t]
		for {
			n := &f.nodes[i]
			if n.Flags&FlagLeaf != 0 {
				h := float64(f.values[n.Next])
				if h > 0 {
					for j, p := range path {
						w[j] += p / h
					}
				}
				break
			}
			v := row[n.Feature]
			left := v <= n.Threshold
			if v != v {
				left = n.Flags&FlagMissingLeft != 0
			}
			next := n.Next
			if !left {
				next++
			}
			path[n.Feature] += detmath.Log2(float64(max(f.sizes[i], 1)) / float64(max(f.sizes[next], 1)))
			i = next
		}
	}
	var total float64
	for _, x := range w {
		total += x
	}
	var out []Contribution
	if total <= 0 {
		return out, nil
	}
	for j, x := range w {
		if x <= 0 {
			continue
		}
		c := Contribution{Index: j, Value: row[j], Weight: x / total, Rank: math.NaN()}
		if j < len(names) {
			c.Feature = names[j]
		}
		if j < len(a.Baseline) {
			c.Rank, c.Baseline = a.Baseline[j].position(row[j])
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(x, y Contribution) int { return cmp.Compare(y.Weight, x.Weight) })
	return out, nil
}

// position returns the approximate fraction of baseline values below v,
// interpolating linearly in the percentile grid, and a description.
func (b FeatureBaseline) position(v float32) (float64, string) {
	if math.IsNaN(float64(v)) {
		return math.NaN(), fmt.Sprintf("missing (%s of baseline rows missing)", percent(b.Missing))
	}
	q := b.Quantiles
	if len(q) == 0 {
		return math.NaN(), "no baseline values (feature always missing in baseline)"
	}
	last := len(q) - 1
	median := g(q[last/2])
	switch {
	case v < q[0]:
		return 0, fmt.Sprintf("below baseline minimum %s (median %s)", g(q[0]), median)
	case v > q[last]:
		return 1, fmt.Sprintf("above baseline maximum %s (median %s)", g(q[last]), median)
	}
	// The first grid point >= v and the last <= v bracket v; equal grid
	// points (a value repeated across percentiles) put v in the middle of
	// their run.
	hi, _ := slices.BinarySearch(q, v)
	lo := hi
	for lo < last && q[lo+1] <= v {
		lo++
	}
	var pos float64
	if q[hi] == v {
		pos = float64(hi+lo) / 2
	} else {
		// q[hi-1] < v < q[hi]
		pos = float64(hi-1) + float64(v-q[hi-1])/float64(q[hi]-q[hi-1])
	}
	rank := pos / float64(last)
	return rank, fmt.Sprintf("percentile %s of baseline (median %s)", strconv.FormatFloat(100*rank, 'f', 1, 64), median)
}

func g(v float32) string { return strconv.FormatFloat(float64(v), 'g', 6, 32) }

func percent(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }
