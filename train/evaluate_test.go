package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"flowsift/train/model"
)

func TestStratifiedFolds(t *testing.T) {
	d := synth(20, 1003, 2, 1, 3, 0, 0)
	const folds = 5
	assign := stratifiedFolds(d.Y, 3, folds, 1)
	perFold := make([][]int, folds)
	for f := range perFold {
		perFold[f] = make([]int, 3)
	}
	sizes := make([]int, folds)
	for i, f := range assign {
		if f < 0 || f >= folds {
			t.Fatalf("row %d in fold %d", i, f)
		}
		perFold[f][d.Y[i]]++
		sizes[f]++
	}
	counts := classCounts(d.Y, 3)
	for f := range folds {
		for c := range 3 {
			// Each class is dealt round robin: at most one row of difference.
			if lo, hi := counts[c]/folds, (counts[c]+folds-1)/folds; perFold[f][c] < lo || perFold[f][c] > hi {
				t.Errorf("fold %d class %d has %d rows, want %d..%d", f, c, perFold[f][c], lo, hi)
			}
		}
		if sizes[f] < 1003/folds || sizes[f] > 1003/folds+1 {
			t.Errorf("fold %d has %d rows, want %d or %d", f, sizes[f], 1003/folds, 1003/folds+1)
		}
	}
}

func TestGroupFoldsKeepGroupsTogether(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 20 {
		n := 200 + rng.IntN(500)
		groups := make([]string, n)
		ng := 5 + rng.IntN(30)
		for i := range groups {
			// Skewed group sizes, as captures are.
			groups[i] = fmt.Sprintf("cap%d", int(float64(ng)*math.Pow(rng.Float64(), 2)))
		}
		folds := 2 + rng.IntN(4)
		assign, distinctGroups, err := groupFolds(groups, folds)
		if err != nil {
			if errors.Is(err, ErrTooFewGroups) && distinctGroups < folds {
				continue
			}
			t.Fatalf("trial %d: groupFolds() error = %v", trial, err)
		}
		foldOf := map[string]int{}
		for i, g := range groups {
			if f, ok := foldOf[g]; ok && f != assign[i] {
				t.Fatalf("trial %d: group %q in folds %d and %d", trial, g, f, assign[i])
			}
			foldOf[g] = assign[i]
		}
		for f := range folds {
			train, test := foldRows(assign, f)
			inTest := map[string]bool{}
			for _, r := range test {
				inTest[groups[r]] = true
			}
			for _, r := range train {
				if inTest[groups[r]] {
					t.Fatalf("trial %d fold %d: group %q on both sides", trial, f, groups[r])
				}
			}
			if len(test) == 0 {
				t.Errorf("trial %d: fold %d is empty", trial, f)
			}
		}
	}
	if _, _, err := groupFolds([]string{"a", "a", "b"}, 3); !errors.Is(err, ErrTooFewGroups) {
		t.Errorf("groupFolds(2 groups, 3 folds) error = %v, want ErrTooFewGroups", err)
	}
}

func TestEvaluateBinary(t *testing.T) {
	d := synth(23, 1500, 8, 3, 2, 0.05, 6)
	cfg := fastConfig()
	cfg.GroupKey = "capture"
	ev, err := Evaluate(context.Background(), d, cfg)
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if ev.Split.Method != SplitGroup || ev.Split.GroupKey != "capture" || ev.Split.Groups != 6 || ev.Split.Folds != 3 {
		t.Errorf("Split = %+v, want auto-chosen group-kfold over 6 capture groups in 3 folds", ev.Split)
	}
	var testRows int
	for _, f := range ev.Folds {
		testRows += f.TestRows
		if f.TrainRows+f.TestRows != d.Rows() {
			t.Errorf("fold %d: %d + %d rows, want %d", f.Fold, f.TrainRows, f.TestRows, d.Rows())
		}
	}
	if testRows != d.Rows() || ev.Rows != d.Rows() {
		t.Errorf("held-out rows %d (Rows %d), want each of %d rows once", testRows, ev.Rows, d.Rows())
	}
	var total, diag int
	for i, row := range ev.Confusion.Matrix {
		for j, v := range row {
			total += v
			if i == j {
				diag += v
			}
		}
		if sum := row[0] + row[1]; sum != ev.PerClass[i].Support {
			t.Errorf("confusion row %d sums to %d, support %d", i, sum, ev.PerClass[i].Support)
		}
	}
	if total != d.Rows() || math.Abs(float64(diag)/float64(total)-ev.Accuracy) > 1e-12 {
		t.Errorf("confusion total %d diag %d, accuracy %v", total, diag, ev.Accuracy)
	}
	if !(ev.ROCAUC > 0.9) || !(ev.PRAUC > 0.8) || ev.Accuracy < 0.85 {
		t.Errorf("ROC AUC %v, PR AUC %v, accuracy %v; want a working classifier", ev.ROCAUC, ev.PRAUC, ev.Accuracy)
	}
	if ev.ROCAUC != ev.PerClass[1].ROCAUC {
		t.Errorf("binary ROC AUC %v differs from the positive class's %v", ev.ROCAUC, ev.PerClass[1].ROCAUC)
	}
	if len(ev.Curves) != 1 || ev.Curves[0].Class != "class1" {
		t.Fatalf("Curves = %d, want the positive class only", len(ev.Curves))
	}
	c := ev.Curves[0]
	if len(c.ROC) > model.MaxCurvePoints || len(c.PR) > model.MaxCurvePoints || len(c.ROC) < 10 {
		t.Errorf("curves have %d ROC and %d PR points, want 10..%d", len(c.ROC), len(c.PR), model.MaxCurvePoints)
	}
	if first, last := c.ROC[0], c.ROC[len(c.ROC)-1]; first.FPR != 0 || first.TPR != 0 || last.FPR != 1 || last.TPR != 1 {
		t.Errorf("ROC runs from %+v to %+v, want (0,0) to (1,1)", first, last)
	}
	var binned int
	for _, b := range ev.Calibration.Bins {
		binned += b.Count
		if b.Count > 0 && !(float64(b.MeanPredicted) >= b.Lower && float64(b.MeanPredicted) <= b.Upper) {
			t.Errorf("bin [%v, %v) has mean prediction %v", b.Lower, b.Upper, b.MeanPredicted)
		}
	}
	if binned != d.Rows() || len(ev.Calibration.Bins) != cfg.CalibrationBins {
		t.Errorf("calibration bins hold %d rows in %d bins, want %d in %d", binned, len(ev.Calibration.Bins), d.Rows(), cfg.CalibrationBins)
	}
	if !(ev.Calibration.Brier > 0 && ev.Calibration.Brier < 0.15) {
		t.Errorf("Brier %v, want a small positive number for a working classifier", ev.Calibration.Brier)
	}
	// Permutation importance: informative features f00-f02 matter on held-out
	// rows, noise features do not.
	for j, imp := range ev.Importance {
		if !imp.PermutationMean.Valid() || !imp.PermutationStd.Valid() || imp.PermutationStd < 0 {
			t.Errorf("feature %s permutation %v ± %v", imp.Feature, imp.PermutationMean, imp.PermutationStd)
		}
		if j < 3 && imp.PermutationMean < 0.005 {
			t.Errorf("informative feature %s permutation importance %v, want clearly positive", imp.Feature, imp.PermutationMean)
		}
		if j >= 3 && imp.PermutationMean > 0.005 {
			t.Errorf("noise feature %s permutation importance %v, want about 0", imp.Feature, imp.PermutationMean)
		}
	}
	if len(ev.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none", ev.Warnings)
	}
}

// TestEvaluateGroupSplitExposesLeakage builds the classic leak: every
// capture has its own fingerprint feature and one label. A row split lets
// the forest recognise captures it trained on; a group split does not.
func TestEvaluateGroupSplitExposesLeakage(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 25))
	d := &Dataset{Schema: model.FeatureSchema{Names: []string{"fingerprint", "noise"}}, X: make([][]float32, 2), Classes: []string{"benign", "malicious"}}
	for g := range 30 {
		label := g % 2
		fp := float32(rng.NormFloat64() * 10)
		for range 40 {
			d.X[0] = append(d.X[0], fp) // a per-capture constant, like a TTL
			d.X[1] = append(d.X[1], float32(rng.NormFloat64()))
			d.Y = append(d.Y, label)
			d.Groups = append(d.Groups, fmt.Sprintf("capture%02d", g))
		}
	}
	cfg := fastConfig()
	cfg.PermutationRepeats = 0
	cfg.Split = SplitStratified
	rows, err := Evaluate(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Split = SplitGroup
	groups, err := Evaluate(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("row split AUC %v, group split AUC %v", rows.ROCAUC, groups.ROCAUC)
	if !(rows.ROCAUC > 0.95) {
		t.Errorf("row split ROC AUC %v: the leak should look like success", rows.ROCAUC)
	}
	if !(groups.ROCAUC < 0.75) {
		t.Errorf("group split ROC AUC %v: nothing generalises across captures, want near 0.5", groups.ROCAUC)
	}
}

func TestEvaluateMultiClass(t *testing.T) {
	d := synth(26, 1200, 6, 3, 3, 0, 0)
	cfg := fastConfig()
	ev, err := Evaluate(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Threshold.Valid() {
		t.Errorf("Threshold = %v, want undefined (argmax) for 3 classes", ev.Threshold)
	}
	if ev.Split.Method != SplitStratified {
		t.Errorf("Split.Method = %q, want %q without groups", ev.Split.Method, SplitStratified)
	}
	if len(ev.Curves) != 3 || ev.Calibration.Of != "top-label confidence" {
		t.Errorf("%d curves, calibration of %q; want one-vs-rest curves for 3 classes and top-label calibration", len(ev.Curves), ev.Calibration.Of)
	}
	var mean float64
	for _, pc := range ev.PerClass {
		mean += float64(pc.ROCAUC) / 3
	}
	if math.Abs(mean-float64(ev.ROCAUC)) > 1e-12 {
		t.Errorf("ROC AUC %v, mean of per-class %v: want the one-vs-rest macro average", ev.ROCAUC, mean)
	}
	if len(ev.Confusion.Matrix) != 3 || len(ev.Confusion.Labels) != 3 {
		t.Errorf("confusion matrix %dx? with %d labels, want 3x3", len(ev.Confusion.Matrix), len(ev.Confusion.Labels))
	}
}

func TestEvaluateWarns(t *testing.T) {
	// Group g0 holds every row of class 1: the fold holding g0 out trains
	// without class 1 and tests on one class.
	d := synth(27, 600, 4, 2, 2, 0, 0)
	d.Groups = make([]string, d.Rows())
	for i, y := range d.Y {
		d.Groups[i] = fmt.Sprintf("g%d", 1+i%4)
		if y == 1 {
			d.Groups[i] = "g0"
		}
	}
	ev, err := Evaluate(context.Background(), d, fastConfig())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(ev.Warnings, "\n")
	for _, want := range []string{`training side has no rows of class "class1"`, "held-out side has one class"} {
		if !strings.Contains(all, want) {
			t.Errorf("Warnings = %q, want one containing %q", ev.Warnings, want)
		}
	}
}

func TestEvaluateRejects(t *testing.T) {
	d := synth(28, 100, 3, 2, 2, 0, 0)
	cfg := fastConfig()
	cfg.Split = SplitGroup
	if _, err := Evaluate(context.Background(), d, cfg); !errors.Is(err, ErrDataset) {
		t.Errorf("Evaluate(group split, no groups) error = %v, want ErrDataset", err)
	}
	d.Groups = make([]string, d.Rows())
	for i := range d.Groups {
		d.Groups[i] = fmt.Sprint(i % 2)
	}
	if _, err := Evaluate(context.Background(), d, cfg); !errors.Is(err, ErrTooFewGroups) {
		t.Errorf("Evaluate(2 groups, 3 folds) error = %v, want ErrTooFewGroups", err)
	}
}

// TestEvaluateFewCapturesFallsBack: with fewer captures than folds, the
// automatic split cannot keep captures apart; it falls back to stratified
// k-fold and says why the numbers are optimistic.
func TestEvaluateFewCapturesFallsBack(t *testing.T) {
	d := synth(28, 400, 4, 2, 2, 0, 0)
	d.Groups = make([]string, d.Rows())
	for i, y := range d.Y {
		d.Groups[i] = fmt.Sprintf("capture-%d", y)
	}
	cfg := fastConfig()
	ev, err := Evaluate(context.Background(), d, cfg)
	if err != nil {
		t.Fatalf("Evaluate() error = %v", err)
	}
	if ev.Split.Method != SplitStratified {
		t.Errorf("split %q, want %q", ev.Split.Method, SplitStratified)
	}
	if all := strings.Join(ev.Warnings, "\n"); !strings.Contains(all, "2 captures for") || !strings.Contains(all, "optimistic") {
		t.Errorf("Warnings = %q, want the leakage warning", ev.Warnings)
	}
	cfg.Split = SplitGroup
	if _, err := Evaluate(context.Background(), d, cfg); err == nil {
		t.Error("an explicit group split with too few captures succeeded, want an error")
	}
}
