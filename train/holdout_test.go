package train

import (
	"context"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEvaluateHoldout checks the holdout split against a recomputation:
// a forest fitted on Training() scores the marked rows, and the accuracy
// and confusion matrix counted here by hand must equal the evaluation's.
func TestEvaluateHoldout(t *testing.T) {
	d := synth(61, 3000, 12, 4, 2, 0.01, 10)
	d.Holdout = make([]bool, d.Rows())
	for i, g := range d.Groups {
		d.Holdout[i] = g == "g07" || g == "g08" || g == "g09"
	}
	cfg := DefaultConfig()
	cfg.Trees, cfg.PermutationRepeats, cfg.GroupKey = 15, 0, "capture"
	ev, err := Evaluate(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Split.Method != SplitHoldout || ev.Split.Folds != 1 || ev.Split.Groups != 3 {
		t.Errorf("split = %+v, want holdout, 1 fold, 3 held-out groups", ev.Split)
	}
	fit, err := Fit(context.Background(), d.Training(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var held []int
	for i, h := range d.Holdout {
		if h {
			held = append(held, i)
		}
	}
	if ev.Rows != len(held) {
		t.Fatalf("evaluation scored %d rows, %d are held out", ev.Rows, len(held))
	}
	row := make([]float32, len(d.X))
	proba := make([]float64, 2)
	confusion := [][]int{{0, 0}, {0, 0}}
	right := 0
	for _, i := range held {
		for j := range d.X {
			row[j] = d.X[j][i]
		}
		if err := fit.Model.PredictProba(row, proba); err != nil {
			t.Fatal(err)
		}
		pred := fit.Model.Classify(proba)
		confusion[d.Y[i]][pred]++
		if pred == d.Y[i] {
			right++
		}
	}
	if diff := cmp.Diff(confusion, ev.Confusion.Matrix); diff != "" {
		t.Errorf("confusion matrix (-recomputed, +evaluation):\n%s", diff)
	}
	if acc := float64(right) / float64(len(held)); math.Abs(acc-ev.Accuracy) > 1e-12 {
		t.Errorf("accuracy %v, recomputed %v", ev.Accuracy, acc)
	}
	if ev.Accuracy < 0.9 {
		t.Errorf("accuracy %v on a separable problem", ev.Accuracy)
	}
}

func TestTrainingDropsHeldOutRows(t *testing.T) {
	d := synth(62, 100, 3, 2, 2, 0, 0)
	if d.Training() != d {
		t.Error("Training() without Holdout is not the dataset itself")
	}
	d.Holdout = make([]bool, 100)
	for i := range 30 {
		d.Holdout[i] = true
	}
	tr := d.Training()
	if tr.Rows() != 70 || tr.Holdout != nil {
		t.Errorf("Training() has %d rows (holdout %v), want 70 and none", tr.Rows(), tr.Holdout != nil)
	}
	if diff := cmp.Diff(d.Y[30:], tr.Y); diff != "" {
		t.Errorf("labels (-want, +got):\n%s", diff)
	}
	d.Holdout = d.Holdout[:10]
	if err := d.Validate(); err == nil {
		t.Error("Validate accepted 10 holdout marks for 100 rows")
	}
}
