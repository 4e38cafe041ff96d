package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"flowsift/train/model"
)

// equateMetrics treats undefined metrics (NaN) as equal to each other.
var equateMetrics = cmp.Comparer(func(a, b model.Metric) bool { return a == b || !a.Valid() && !b.Valid() })

func modelBytes(tb testing.TB, m *model.Model) []byte {
	tb.Helper()
	b, err := m.MarshalBinary()
	if err != nil {
		tb.Fatalf("MarshalBinary() error = %v", err)
	}
	return b
}

func TestFitDeterministicAcrossWorkers(t *testing.T) {
	tests := []struct {
		name    string
		classes int
		mutate  func(*Config)
	}{
		{"binary gini", 2, func(*Config) {}},
		{"multiclass entropy balanced", 3, func(c *Config) { c.Criterion = Entropy; c.ClassWeight = WeightBalanced }},
		{"no bootstrap log2 depth", 2, func(c *Config) { c.Bootstrap = false; c.MaxFeatures = "log2"; c.MaxDepth = 6 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := synth(3, 1500, 9, 4, tt.classes, 0.1, 0)
			var first []byte
			var firstOOB [][]float64
			for _, workers := range []int{1, 2, 3} {
				cfg := fastConfig()
				cfg.Trees = 12
				cfg.Workers = workers
				tt.mutate(&cfg)
				res, err := Fit(context.Background(), d, cfg)
				if err != nil {
					t.Fatalf("Fit(workers=%d) error = %v", workers, err)
				}
				iso, err := FitIsolation(context.Background(), d.X, IsolationConfig{Trees: 10, Subsample: 64, Quantile: 0.99, Seed: 5, Workers: workers})
				if err != nil {
					t.Fatalf("FitIsolation(workers=%d) error = %v", workers, err)
				}
				res.Model.Anomaly = iso
				b := modelBytes(t, res.Model)
				if first == nil {
					first, firstOOB = b, res.OOBProba
					continue
				}
				if !bytes.Equal(b, first) {
					t.Errorf("model bytes with %d workers differ from 1 worker (%d vs %d bytes)", workers, len(b), len(first))
				}
				if diff := cmp.Diff(res.OOBProba, firstOOB, cmpopts.EquateNaNs()); diff != "" {
					t.Errorf("OOB probabilities with %d workers (-got, +want):\n%s", workers, diff)
				}
			}
		})
	}
}

func TestEvaluateDeterministicAcrossWorkers(t *testing.T) {
	d := synth(4, 900, 6, 3, 2, 0.05, 7)
	var first *model.Evaluation
	for _, workers := range []int{1, 2} {
		cfg := fastConfig()
		cfg.Trees = 8
		cfg.Workers = workers
		ev, err := Evaluate(context.Background(), d, cfg)
		if err != nil {
			t.Fatalf("Evaluate(workers=%d) error = %v", workers, err)
		}
		if first == nil {
			first = ev
			continue
		}
		if diff := cmp.Diff(ev, first, equateMetrics); diff != "" {
			t.Errorf("Evaluate(workers=%d) (-got, +want):\n%s", workers, diff)
		}
	}
}

func TestFitSeedMatters(t *testing.T) {
	d := synth(5, 500, 6, 3, 2, 0, 0)
	cfg := fastConfig()
	a, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seed++
	b, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(modelBytes(t, a.Model), modelBytes(t, b.Model)) {
		t.Errorf("Fit() with seeds %d and %d gave identical models", cfg.Seed-1, cfg.Seed)
	}
}

func TestFitGeneralises(t *testing.T) {
	for _, classes := range []int{2, 4} {
		all := synth(6, 4000, 12, 5, classes, 0.05, 0)
		train, test := all.subset(seqRows(0, 3000)), all.subset(seqRows(3000, 4000))
		res, err := Fit(context.Background(), train, fastConfig())
		if err != nil {
			t.Fatalf("Fit() error = %v", err)
		}
		acc := accuracyOn(t, res.Model, test)
		if acc < 0.9 {
			t.Errorf("%d classes: held-out accuracy %.3f, want >= 0.9", classes, acc)
		}
		// The out-of-bag estimate is an honest held-out estimate: it must
		// land near the real held-out accuracy.
		if oob := res.Model.OOB.Accuracy; math.Abs(oob-acc) > 0.03 {
			t.Errorf("%d classes: OOB accuracy %.3f, held-out %.3f", classes, oob, acc)
		}
		if res.Model.OOB.Rows < 2990 {
			t.Errorf("%d classes: %d rows out of bag, want nearly all 3000 with 20 trees", classes, res.Model.OOB.Rows)
		}
	}
}

func seqRows(a, b int) []int {
	s := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		s = append(s, i)
	}
	return s
}

// TestFitMemorises grows unrestricted trees on every row with every
// feature: with at most MaxBins distinct values per feature and no duplicate
// rows, each leaf is pure, so the training set is reproduced exactly. This
// fails if real-valued thresholds disagree with the binning used to grow
// the tree, missing values included.
func TestFitMemorises(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	d := &Dataset{Schema: model.FeatureSchema{Names: []string{"a", "b", "c"}}, X: make([][]float32, 3), Classes: []string{"x", "y", "z"}}
	seen := map[[3]float32]bool{}
	for len(d.Y) < 800 {
		var row [3]float32
		for j := range row {
			row[j] = float32(rng.IntN(60)) * 0.37
			if rng.IntN(15) == 0 {
				row[j] = float32(math.NaN())
			}
		}
		key := row
		for j := range key {
			if key[j] != key[j] {
				key[j] = -1 // NaN keys never compare equal
			}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		for j := range row {
			d.X[j] = append(d.X[j], row[j])
		}
		d.Y = append(d.Y, rng.IntN(3))
	}
	cfg := fastConfig()
	cfg.Trees = 1
	cfg.Bootstrap = false
	cfg.MaxFeatures = "all"
	res, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatalf("Fit() error = %v", err)
	}
	if acc := accuracyOn(t, res.Model, d); acc != 1 {
		t.Errorf("training accuracy %.4f, want 1 (leaves pure, thresholds consistent with bins)", acc)
	}
}

// TestFitLearnsMissingness: the label is whether feature 0 is missing.
func TestFitLearnsMissingness(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	d := &Dataset{Schema: model.FeatureSchema{Names: []string{"maybe", "noise"}}, X: make([][]float32, 2), Classes: []string{"present", "absent"}}
	for range 600 {
		y := rng.IntN(2)
		v := float32(rng.NormFloat64())
		if y == 1 {
			v = float32(math.NaN())
		}
		d.X[0] = append(d.X[0], v)
		d.X[1] = append(d.X[1], float32(rng.NormFloat64()))
		d.Y = append(d.Y, y)
	}
	cfg := fastConfig()
	cfg.MaxDepth = 1
	res, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatalf("Fit() error = %v", err)
	}
	if acc := accuracyOn(t, res.Model, d); acc != 1 {
		t.Errorf("accuracy %.3f, want 1: a depth-1 stump on missingness separates the classes", acc)
	}
}

// TestUnseenMissingFollowsHeavierChild: trained without NaN, a NaN row goes
// to the child that had more training weight.
func TestUnseenMissingFollowsHeavierChild(t *testing.T) {
	d := &Dataset{Schema: model.FeatureSchema{Names: []string{"x"}}, X: make([][]float32, 1), Classes: []string{"low", "high"}}
	for i := range 100 {
		v, y := float32(-1-i), 0
		if i >= 70 {
			v, y = float32(i), 1
		}
		d.X[0] = append(d.X[0], v)
		d.Y = append(d.Y, y)
	}
	cfg := fastConfig()
	cfg.Trees = 1
	cfg.Bootstrap = false
	cfg.MaxDepth = 1
	res, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatalf("Fit() error = %v", err)
	}
	got := make([]float64, 2)
	if err := res.Model.PredictProba([]float32{float32(math.NaN())}, got); err != nil {
		t.Fatalf("PredictProba() error = %v", err)
	}
	if diff := cmp.Diff(got, []float64{1, 0}); diff != "" {
		t.Errorf("PredictProba(NaN) (-got, +want):\n%s", diff)
	}
}

func TestClassWeights(t *testing.T) {
	// 10% positives overlapping the negatives; leaves of >= 25 rows stay
	// mixed, so weights move their probabilities.
	all := synth(11, 6000, 6, 2, 2, 0, 0)
	rng := rand.New(rand.NewPCG(1, 1))
	var keep []int
	for i, y := range all.Y {
		if y == 0 || rng.IntN(6) == 0 {
			keep = append(keep, i)
		}
	}
	d := all.subset(keep)
	for j := range d.X { // blur the classes
		for i := range d.X[j] {
			d.X[j][i] += float32(rng.NormFloat64() * 1.5)
		}
	}
	recall := func(cw string, weights map[string]float64) (float64, *model.Model) {
		cfg := fastConfig()
		cfg.MinSamplesLeaf = 25
		cfg.ClassWeight = cw
		cfg.ClassWeights = weights
		res, err := Fit(context.Background(), d, cfg)
		if err != nil {
			t.Fatalf("Fit(%s) error = %v", cw, err)
		}
		var tp, pos int
		p := make([]float64, 2)
		row := make([]float32, len(d.X))
		for i, y := range d.Y {
			if y != 1 {
				continue
			}
			pos++
			for j := range row {
				row[j] = d.X[j][i]
			}
			if err := res.Model.PredictProba(row, p); err != nil {
				t.Fatal(err)
			}
			if res.Model.Classify(p) == 1 {
				tp++
			}
		}
		return float64(tp) / float64(pos), res.Model
	}
	none, _ := recall(WeightNone, nil)
	balanced, m := recall(WeightBalanced, nil)
	explicit, me := recall(WeightExplicit, map[string]float64{"class1": 20})
	if balanced <= none || explicit <= none {
		t.Errorf("minority recall: none %.3f, balanced %.3f, explicit %.3f; weighting must raise it", none, balanced, explicit)
	}
	counts := classCounts(d.Y, 2)
	want := []float64{float64(len(d.Y)) / (2 * float64(counts[0])), float64(len(d.Y)) / (2 * float64(counts[1]))}
	if diff := cmp.Diff(m.Params.ClassWeights, want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("balanced class weights (-got, +want):\n%s", diff)
	}
	if diff := cmp.Diff(me.Params.ClassWeights, []float64{1, 20}); diff != "" {
		t.Errorf("explicit class weights (-got, +want):\n%s", diff)
	}
}

func treeDepth(tr model.Tree, i, depth int) int {
	n := tr.Nodes[i]
	if n.Leaf() {
		return depth
	}
	return max(treeDepth(tr, int(n.Next), depth+1), treeDepth(tr, int(n.Next)+1, depth+1))
}

func TestMaxDepthAndLeafProbabilities(t *testing.T) {
	d := synth(12, 800, 5, 3, 3, 0, 0)
	cfg := fastConfig()
	cfg.MaxDepth = 3
	res, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Model.Forest
	for ti := range f.NumTrees() {
		tr, err := f.Tree(ti)
		if err != nil {
			t.Fatal(err)
		}
		if got := treeDepth(tr, 0, 0); got > 3 {
			t.Errorf("tree %d depth %d, want <= 3", ti, got)
		}
		for v := 0; v < len(tr.Values); v += 3 {
			if s := tr.Values[v] + tr.Values[v+1] + tr.Values[v+2]; math.Abs(float64(s)-1) > 1e-5 {
				t.Errorf("tree %d leaf at %d sums to %v, want 1", ti, v, s)
			}
		}
	}
}

func TestImpurityImportanceFindsSignal(t *testing.T) {
	d := synth(13, 2000, 8, 2, 2, 0, 0) // f00, f01 informative
	res, err := Fit(context.Background(), d, fastConfig())
	if err != nil {
		t.Fatal(err)
	}
	imp := res.Model.ImpurityImportance
	if s := imp[0] + imp[1] + imp[2] + imp[3] + imp[4] + imp[5] + imp[6] + imp[7]; math.Abs(s-1) > 1e-9 {
		t.Errorf("importances sum to %v, want 1", s)
	}
	for j := 2; j < 8; j++ {
		if imp[j] >= imp[0] || imp[j] >= imp[1] {
			t.Errorf("noise feature %d importance %.3f not below signal %.3f, %.3f", j, imp[j], imp[0], imp[1])
		}
	}
}

func TestProvenance(t *testing.T) {
	d := synth(14, 300, 3, 2, 2, 0, 3)
	d.Sources = []model.InputFile{{Path: "a.parquet", SHA256: "ab", Rows: 300}}
	cfg := fastConfig()
	cfg.GroupKey = "capture"
	res, err := Fit(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Model.Provenance
	counts := classCounts(d.Y, 2)
	if p.Rows != 300 || !slices.Equal(p.ClassRows, counts) || p.GroupKey != "capture" || len(p.Inputs) != 1 {
		t.Errorf("provenance = %+v, want 300 rows, class rows %v, group key, one input", p, counts)
	}
	var total int
	for i, g := range p.Groups {
		total += g.Rows
		if i > 0 && p.Groups[i-1].Group >= g.Group {
			t.Errorf("groups not sorted: %q before %q", p.Groups[i-1].Group, g.Group)
		}
		if g.ClassRows[0]+g.ClassRows[1] != g.Rows {
			t.Errorf("group %q class rows %v do not add up to %d", g.Group, g.ClassRows, g.Rows)
		}
	}
	if total != 300 || len(p.Groups) != 3 {
		t.Errorf("groups cover %d rows in %d groups, want 300 in 3", total, len(p.Groups))
	}
}

func TestFitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Fit(ctx, synth(1, 200, 3, 2, 2, 0, 0), fastConfig()); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit(cancelled) error = %v, want context.Canceled", err)
	}
}

func TestFitRejects(t *testing.T) {
	oneClass := synth(1, 100, 3, 2, 2, 0, 0)
	for i := range oneClass.Y {
		oneClass.Y[i] = 0
	}
	tests := []struct {
		name string
		d    *Dataset
		cfg  func(*Config)
		want error
	}{
		{"one class", oneClass, func(*Config) {}, ErrDataset},
		{"unknown positive class", synth(1, 100, 3, 2, 2, 0, 0), func(c *Config) { c.PositiveClass = "nope" }, ErrConfig},
		{"weight for unknown class", synth(1, 100, 3, 2, 2, 0, 0), func(c *Config) {
			c.ClassWeight, c.ClassWeights = WeightExplicit, map[string]float64{"nope": 2}
		}, ErrConfig},
		{"bad config", synth(1, 100, 3, 2, 2, 0, 0), func(c *Config) { c.Trees = 0 }, ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastConfig()
			tt.cfg(&cfg)
			if _, err := Fit(context.Background(), tt.d, cfg); !errors.Is(err, tt.want) {
				t.Errorf("Fit() error = %v, want %v", err, tt.want)
			}
		})
	}
}
