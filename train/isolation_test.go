package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"flowsift/train/internal/metrics"
	"flowsift/train/model"
)

// baseline returns n rows of independent standard normal features, with
// `outliers` extra rows at the end whose feature `planted` sits 8 standard
// deviations out while the rest stay typical.
func baseline(seed uint64, n, features, outliers, planted int) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	cols := make([][]float32, features)
	for i := range n + outliers {
		for j := range features {
			v := rng.NormFloat64()
			if i >= n && j == planted {
				v = 7 + 4*rng.Float64()
			}
			cols[j] = append(cols[j], float32(v))
		}
	}
	return cols
}

func TestIsolationRanksPlantedOutliers(t *testing.T) {
	const n, outliers, planted = 3000, 15, 3
	cols := baseline(40, n, 4, outliers, planted)
	// Fit on the contaminated data, as an analyst fitting on a capture
	// that already holds the attack would.
	cfg := DefaultIsolationConfig()
	cfg.Workers = 2
	a, err := FitIsolation(context.Background(), cols, cfg)
	if err != nil {
		t.Fatalf("FitIsolation() error = %v", err)
	}
	if a.Subsample != 256 || a.MaxDepth != 8 || a.Trees != 100 || a.BaselineRows != n+outliers {
		t.Errorf("forest ψ=%d depth=%d trees=%d rows=%d, want 256, 8 = ceil(log2 256), 100, %d", a.Subsample, a.MaxDepth, a.Trees, a.BaselineRows, n+outliers)
	}
	scores := make([]float64, n+outliers)
	if err := a.ScoreBatch(cols, scores); err != nil {
		t.Fatalf("ScoreBatch() error = %v", err)
	}
	inliers, outl := slices.Clone(scores[:n]), slices.Clone(scores[n:])
	slices.Sort(inliers)
	slices.Sort(outl)
	hit := make([]bool, n+outliers)
	for i := n; i < len(hit); i++ {
		hit[i] = true
	}
	// Axis-parallel random splits find a one-feature anomaly among 4
	// features quickly but not instantly, and rows extreme in every feature
	// at once are anomalies too; so the planted rows must rank above nearly
	// all inliers, not above every one.
	auc := metrics.NewCurve(hit, scores).AUC()
	p90, p98 := metrics.Quantile(inliers, 0.90), metrics.Quantile(inliers, 0.98)
	t.Logf("AUC %.4f, inlier p90 %.3f p98 %.3f, planted min %.3f median %.3f", auc, p90, p98, outl[0], outl[outliers/2])
	if auc < 0.98 {
		t.Errorf("ROC AUC of planted outliers against inliers %.4f, want >= 0.98", auc)
	}
	if outl[outliers/2] <= p98 {
		t.Errorf("median planted score %.3f not above the inliers' 98th percentile %.3f", outl[outliers/2], p98)
	}
	if outl[0] <= p90 {
		t.Errorf("lowest planted score %.3f not above the inliers' 90th percentile %.3f", outl[0], p90)
	}
	if med := inliers[n/2]; med >= 0.5 {
		t.Errorf("median inlier score %.3f, want < 0.5", med)
	}
	// The threshold is the 0.995 quantile of the baseline's scores.
	above := 0
	for _, s := range scores {
		if s > a.Threshold {
			above++
		}
	}
	if want := float64(n+outliers) * (1 - cfg.Quantile); math.Abs(float64(above)-want) > 2 {
		t.Errorf("%d baseline rows above threshold %.4f, want about %.0f", above, a.Threshold, want)
	}
}

func TestExplainNamesPlantedFeature(t *testing.T) {
	const n, outliers = 2000, 10
	for _, planted := range []int{0, 4} {
		cols := baseline(41, n, 6, outliers, planted)
		a, err := FitIsolation(context.Background(), cols[:], IsolationConfig{Trees: 100, Subsample: 256, Quantile: 0.99, Seed: 3})
		if err != nil {
			t.Fatalf("FitIsolation() error = %v", err)
		}
		m := &model.Model{Schema: model.FeatureSchema{Names: []string{"bytes", "pkts", "dur", "ports", "fanout", "nxdomain"}}, Anomaly: a}
		row := make([]float32, 6)
		for i := n; i < n+outliers; i++ {
			for j := range row {
				row[j] = cols[j][i]
			}
			got, err := m.Explain(row)
			if err != nil {
				t.Fatalf("Explain() error = %v", err)
			}
			top := got[0]
			if top.Index != planted || top.Feature != m.Schema.Names[planted] {
				t.Errorf("row %d: top contribution %q (%.2f), want %q", i, top.Feature, top.Weight, m.Schema.Names[planted])
			}
			if top.Weight < 0.3 || top.Rank < 0.99 {
				t.Errorf("row %d: %q weight %.2f rank %.3f (%s), want a dominant share far above the baseline", i, top.Feature, top.Weight, top.Rank, top.Baseline)
			}
			var total float64
			for _, c := range got {
				total += c.Weight
			}
			if math.Abs(total-1) > 1e-9 {
				t.Errorf("row %d: weights sum to %v, want 1", i, total)
			}
		}
	}
}

func TestIsolationMissingValues(t *testing.T) {
	cols := baseline(42, 2000, 4, 0, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	for j := range cols {
		for i := range cols[j] {
			if rng.IntN(10) == 0 {
				cols[j][i] = float32(math.NaN())
			}
		}
	}
	cfg := DefaultIsolationConfig()
	a, err := FitIsolation(context.Background(), cols, cfg)
	if err != nil {
		t.Fatalf("FitIsolation() error = %v", err)
	}
	if got := a.Baseline[2].Missing; math.Abs(got-0.1) > 0.02 {
		t.Errorf("baseline missing fraction %.3f, want about 0.1", got)
	}
	// A typical row with one value missing must not look anomalous.
	med := func(j int) float32 { return a.Baseline[j].Quantiles[50] }
	row := []float32{med(0), float32(math.NaN()), med(2), med(3)}
	s, err := a.Score(row)
	if err != nil {
		t.Fatalf("Score() error = %v", err)
	}
	if s >= a.Threshold {
		t.Errorf("typical row with a missing value scores %.3f, threshold %.3f", s, a.Threshold)
	}
}

func TestFitIsolationSmallAndBadInput(t *testing.T) {
	cols := baseline(43, 50, 3, 0, 0)
	a, err := FitIsolation(context.Background(), cols, DefaultIsolationConfig())
	if err != nil {
		t.Fatalf("FitIsolation(50 rows) error = %v", err)
	}
	if a.Subsample != 50 || a.MaxDepth != 6 {
		t.Errorf("ψ=%d depth=%d, want 50 and ceil(log2 50)=6", a.Subsample, a.MaxDepth)
	}
	tests := []struct {
		name string
		cols [][]float32
	}{
		{"no columns", nil},
		{"ragged", [][]float32{{1, 2, 3}, {1, 2}}},
		{"one row", [][]float32{{1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := FitIsolation(context.Background(), tt.cols, DefaultIsolationConfig()); !errors.Is(err, ErrDataset) {
				t.Errorf("FitIsolation() error = %v, want ErrDataset", err)
			}
		})
	}
}

func TestIsolationPathLengthsMatchTreeShape(t *testing.T) {
	// Every leaf stores depth + c(size): recompute both from the tree.
	cols := baseline(44, 300, 3, 0, 0)
	a, err := FitIsolation(context.Background(), cols, IsolationConfig{Trees: 5, Subsample: 64, Quantile: 0.9, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for ti := range a.Forest().NumTrees() {
		tr, err := a.Forest().Tree(ti)
		if err != nil {
			t.Fatal(err)
		}
		var walk func(i, depth int)
		walk = func(i, depth int) {
			n := tr.Nodes[i]
			if n.Leaf() {
				want := float32(float64(depth) + model.AveragePathLength(int(tr.Sizes[i])))
				if got := tr.Values[n.Next]; got != want {
					t.Errorf("tree %d leaf %d: path length %v, want %v", ti, i, got, want)
				}
				return
			}
			if l, r := tr.Sizes[n.Next], tr.Sizes[n.Next+1]; l+r != tr.Sizes[i] || l == 0 || r == 0 {
				t.Errorf("tree %d node %d: children sizes %d + %d, parent %d", ti, i, l, r, tr.Sizes[i])
			}
			walk(int(n.Next), depth+1)
			walk(int(n.Next)+1, depth+1)
		}
		if tr.Sizes[0] != 64 {
			t.Errorf("tree %d root size %d, want ψ = 64", ti, tr.Sizes[0])
		}
		walk(0, 0)
	}
}
