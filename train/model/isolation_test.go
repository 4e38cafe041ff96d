package model

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAveragePathLength(t *testing.T) {
	// exact is 2H(n-1) - 2(n-1)/n with the harmonic number summed exactly;
	// the paper's ln(i)+γ approximation is off by about 1/(n-1).
	exact := func(n int) float64 {
		var h float64
		for i := 1; i < n; i++ {
			h += 1 / float64(i)
		}
		return 2*h - 2*float64(n-1)/float64(n)
	}
	tests := []struct {
		n    int
		want float64
		tol  float64
	}{
		{0, 0, 0},
		{1, 0, 0},
		{2, 1, 0},
		// 2(ln 255 + γ) - 2*255/256 worked out by hand.
		{256, 10.244770920, 1e-8},
		{3, exact(3), 0.5},
		{10, exact(10), 0.12},
		{256, exact(256), 0.005},
	}
	for _, tt := range tests {
		if got := AveragePathLength(tt.n); math.Abs(got-tt.want) > tt.tol {
			t.Errorf("AveragePathLength(%d) = %.9f, want %.9f ± %g", tt.n, got, tt.want, tt.tol)
		}
	}
}

func TestAnomalyScore(t *testing.T) {
	m := handModel(t)
	c8 := 2*(math.Log(7)+eulerGamma) - 2*7.0/8
	tests := []struct {
		name string
		row  []float32
		path float64 // mean path length worked out from the tree diagram
	}{
		{"isolated by b", []float32{1, 200}, (1 + 3) / 2.0},
		{"deep inside", []float32{1, 20}, (float64(float32(1+AveragePathLength(7))) + float64(float32(2+AveragePathLength(4)))) / 2},
		{"missing b goes left in tree 1, right in tree 0", []float32{1, nan32}, (1 + float64(float32(2+AveragePathLength(4)))) / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.AnomalyScore(tt.row)
			if err != nil {
				t.Fatalf("AnomalyScore() error = %v", err)
			}
			want := math.Pow(2, -tt.path/c8)
			if math.Abs(got-want) > 1e-12 {
				t.Errorf("AnomalyScore(%v) = %v, want %v", tt.row, got, want)
			}
			out := make([]float64, 1)
			if err := m.AnomalyScores([][]float32{{tt.row[0]}, {tt.row[1]}}, out); err != nil {
				t.Fatalf("AnomalyScores() error = %v", err)
			}
			if out[0] != got {
				t.Errorf("AnomalyScores() = %v, AnomalyScore() = %v", out[0], got)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	m := handModel(t)
	got, err := m.Explain([]float32{1, 200})
	if err != nil {
		t.Fatalf("Explain() error = %v", err)
	}
	// Tree 0 (h=1): split on b takes the row from 8 rows to 1: 3 bits.
	// Tree 1 (h=3): a takes 8 -> 6, b takes 6 -> 2.
	wb := 3/1.0 + math.Log2(6.0/2)/3
	wa := math.Log2(8.0/6) / 3
	want := []Contribution{
		{Feature: "b", Index: 1, Value: 200, Weight: wb / (wa + wb), Rank: 1, Baseline: "above baseline maximum 100 (median 50)"},
		{Feature: "a", Index: 0, Value: 1, Weight: wa / (wa + wb), Rank: 0.01, Baseline: "percentile 1.0 of baseline (median 50)"},
	}
	if diff := cmp.Diff(got, want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Explain() (-got, +want):\n%s", diff)
	}
}

func TestBaselinePosition(t *testing.T) {
	grid := make([]float32, BaselineQuantiles)
	for i := range grid {
		grid[i] = float32(i)
	}
	flat := make([]float32, BaselineQuantiles) // half the baseline is exactly 50
	for i := range flat {
		flat[i] = float32(min(i, 50))
		if i > 75 {
			flat[i] = float32(i)
		}
	}
	tests := []struct {
		name     string
		b        FeatureBaseline
		v        float32
		rank     float64
		contains string
	}{
		{"interior", FeatureBaseline{Quantiles: grid}, 50.5, 0.505, "percentile 50.5"},
		{"grid point", FeatureBaseline{Quantiles: grid}, 10, 0.10, "percentile 10.0"},
		{"below", FeatureBaseline{Quantiles: grid}, -1, 0, "below baseline minimum 0"},
		{"above", FeatureBaseline{Quantiles: grid}, 101, 1, "above baseline maximum 100"},
		{"run of equal quantiles", FeatureBaseline{Quantiles: flat}, 50, 0.625, "percentile 62.5"},
		{"missing", FeatureBaseline{Missing: 0.125, Quantiles: grid}, nan32, math.NaN(), "12.5% of baseline rows missing"},
		{"no baseline values", FeatureBaseline{Missing: 1}, 3, math.NaN(), "always missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rank, text := tt.b.position(tt.v)
			if !(math.Abs(rank-tt.rank) < 1e-9 || math.IsNaN(rank) && math.IsNaN(tt.rank)) {
				t.Errorf("position(%v) rank = %v, want %v", tt.v, rank, tt.rank)
			}
			if !strings.Contains(text, tt.contains) {
				t.Errorf("position(%v) = %q, want it to contain %q", tt.v, text, tt.contains)
			}
		})
	}
}
