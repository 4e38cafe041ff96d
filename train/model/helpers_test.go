package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// handModel is small enough to predict by hand:
//
//	tree 0: a <= 0.5 (NaN left) ? [0.9 0.1] : [0.2 0.8]
//	tree 1: b <= 10 (NaN right) ? (a <= 2 ? [1 0] : [0.5 0.5]) : [0 1]
//
// and has a two-tree isolation forest (see handIsolation).
func handModel(tb testing.TB) *Model {
	tb.Helper()
	trees := []Tree{
		{
			Nodes: []Node{
				{Feature: 0, Flags: FlagMissingLeft, Threshold: 0.5, Next: 1},
				{Flags: FlagLeaf, Next: 0},
				{Flags: FlagLeaf, Next: 2},
			},
			Values: []float32{0.9, 0.1, 0.2, 0.8},
		},
		{
			Nodes: []Node{
				{Feature: 1, Threshold: 10, Next: 1},
				{Feature: 0, Threshold: 2, Next: 3},
				{Flags: FlagLeaf, Next: 4},
				{Flags: FlagLeaf, Next: 0},
				{Flags: FlagLeaf, Next: 2},
			},
			Values: []float32{1, 0, 0.5, 0.5, 0, 1},
		},
	}
	f, err := NewForest(2, 2, trees)
	if err != nil {
		tb.Fatalf("NewForest() error = %v", err)
	}
	m := &Model{
		Schema:        FeatureSchema{Version: "test-1", Names: []string{"a", "b"}},
		Classes:       []string{"benign", "malicious"},
		PositiveClass: 1,
		Threshold:     0.5,
		Params:        &Hyperparams{Trees: 2, Criterion: "gini", MaxFeatures: "sqrt", FeaturesPerSplit: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1, Bootstrap: true, ClassWeight: "none", ClassWeights: []float64{1, 1}, MaxBins: 255, Missing: "learned"},
		Seed:          42,
		Provenance:    &Provenance{Rows: 10, ClassRows: []int{7, 3}, Inputs: []InputFile{{Path: "x.parquet", SHA256: "00", Bytes: 1, Rows: 10}}},
		OOB:           &OOBSummary{Rows: 9, Accuracy: 0.8, ROCAUC: Metric(math.NaN())},
		Forest:        f,
		Anomaly:       handIsolation(tb),
	}
	if err := m.Validate(); err != nil {
		tb.Fatalf("Validate() error = %v", err)
	}
	return m
}

// handIsolation: subsample 8.
//
//	tree 0: b <= 100 (8 rows) ? leaf 7 rows, path 1+c(7) : leaf 1 row, path 1
//	tree 1: a <= 5 (8 rows) ? (b <= 50 (6 rows, NaN left) ? leaf 4 : leaf 2) : leaf 2 rows
func handIsolation(tb testing.TB) *IsolationForest {
	tb.Helper()
	trees := []Tree{
		{
			Nodes: []Node{
				{Feature: 1, Threshold: 100, Next: 1},
				{Flags: FlagLeaf, Next: 0},
				{Flags: FlagLeaf, Next: 1},
			},
			Values: []float32{float32(1 + AveragePathLength(7)), 1},
			Sizes:  []int32{8, 7, 1},
		},
		{
			Nodes: []Node{
				{Feature: 0, Threshold: 5, Next: 1},
				{Feature: 1, Flags: FlagMissingLeft, Threshold: 50, Next: 3},
				{Flags: FlagLeaf, Next: 0},
				{Flags: FlagLeaf, Next: 1},
				{Flags: FlagLeaf, Next: 2},
			},
			Values: []float32{float32(1 + AveragePathLength(2)), float32(2 + AveragePathLength(4)), float32(2 + AveragePathLength(2))},
			Sizes:  []int32{8, 6, 2, 4, 2},
		},
	}
	a, err := NewIsolationForest(2, trees, 8)
	if err != nil {
		tb.Fatalf("NewIsolationForest() error = %v", err)
	}
	a.MaxDepth = 3
	a.Seed = 9
	a.Quantile = 0.9
	a.Threshold = 0.6
	a.BaselineRows = 8
	grid := make([]float32, BaselineQuantiles)
	for i := range grid {
		grid[i] = float32(i) // percentile i sits at value i
	}
	a.Baseline = []FeatureBaseline{{Missing: 0, Quantiles: grid}, {Missing: 0.25, Quantiles: grid}}
	return a
}

// randomForest grows random trees by repeatedly splitting a random leaf, so
// children always follow their parent and sit side by side.
func randomForest(tb testing.TB, rng *rand.Rand, features, width, trees, leaves int, withSizes bool) *Forest {
	tb.Helper()
	ts := make([]Tree, trees)
	for t := range ts {
		nodes := []Node{{Flags: FlagLeaf}}
		open := []int{0}
		for len(open) < leaves {
			k := rng.IntN(len(open))
			p := open[k]
			c := len(nodes)
			flags := NodeFlags(0)
			if rng.IntN(2) == 0 {
				flags = FlagMissingLeft
			}
			nodes[p] = Node{Feature: uint16(rng.IntN(features)), Flags: flags, Threshold: float32(rng.NormFloat64()), Next: int32(c)}
			nodes = append(nodes, Node{Flags: FlagLeaf}, Node{Flags: FlagLeaf})
			open[k] = c
			open = append(open, c+1)
		}
		var values []float32
		for i := range nodes {
			if !nodes[i].Leaf() {
				continue
			}
			nodes[i].Next = int32(len(values))
			var sum float32
			start := len(values)
			for range width {
				v := rng.Float32()
				sum += v
				values = append(values, v)
			}
			for j := start; j < len(values); j++ {
				values[j] /= sum
			}
		}
		ts[t] = Tree{Nodes: nodes, Values: values}
		if withSizes {
			ts[t].Sizes = make([]int32, len(nodes))
			for i := range ts[t].Sizes {
				ts[t].Sizes[i] = int32(rng.IntN(256) + 1)
			}
		}
	}
	f, err := NewForest(features, width, ts)
	if err != nil {
		tb.Fatalf("NewForest() error = %v", err)
	}
	return f
}

// randomCols returns column-major rows with about 5% missing values.
func randomCols(rng *rand.Rand, features, rows int) [][]float32 {
	cols := make([][]float32, features)
	for j := range cols {
		cols[j] = make([]float32, rows)
		for i := range cols[j] {
			if rng.IntN(20) == 0 {
				cols[j][i] = float32(math.NaN())
				continue
			}
			cols[j][i] = float32(rng.NormFloat64())
		}
	}
	return cols
}
