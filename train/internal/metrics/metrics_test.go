package metrics

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mannWhitneyAUC computes AUC from average ranks: U = R_pos - P(P+1)/2,
// AUC = U/(P N). Tied scores share the mean of their ranks.
func mannWhitneyAUC(pos []bool, score []float64) float64 {
	n := len(score)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	rank := make([]float64, n)
	for i := 0; i < n; {
		j := i
		for j+1 < n && score[idx[j+1]] == score[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			rank[idx[k]] = r
		}
		i = j + 1
	}
	var rp float64
	var p, q int
	for i := range pos {
		if pos[i] {
			rp += rank[i]
			p++
		} else {
			q++
		}
	}
	return (rp - float64(p*(p+1))/2) / float64(p*q)
}

// pairAUC counts positive-negative pairs directly.
func pairAUC(pos []bool, score []float64) float64 {
	var s float64
	var pairs int
	for i := range pos {
		for j := range pos {
			if !pos[i] || pos[j] {
				continue
			}
			pairs++
			switch {
			case score[i] > score[j]:
				s++
			case score[i] == score[j]:
				s += 0.5
			}
		}
	}
	return s / float64(pairs)
}

// meanPrecisionAtPositives is average precision as the mean, over positive
// rows, of the precision among rows scoring at least as high.
func meanPrecisionAtPositives(pos []bool, score []float64) float64 {
	var sum float64
	var p int
	for i := range pos {
		if !pos[i] {
			continue
		}
		p++
		var tp, all int
		for j := range pos {
			if score[j] >= score[i] {
				all++
				if pos[j] {
					tp++
				}
			}
		}
		sum += float64(tp) / float64(all)
	}
	return sum / float64(p)
}

func TestAUCAndAveragePrecision(t *testing.T) {
	tests := []struct {
		name    string
		pos     []bool
		score   []float64
		auc, ap float64
	}{
		// scikit-learn's documentation example for roc_auc_score and
		// average_precision_score.
		{"sklearn doc", []bool{false, false, true, true}, []float64{0.1, 0.4, 0.35, 0.8}, 0.75, 0.5/1 + 0.5*(2.0/3)},
		{"tie across classes", []bool{true, false, true, false}, []float64{0.9, 0.8, 0.8, 0.1}, 3.5 / 4, 0.5*1 + 0.5*(2.0/3)},
		{"all tied", []bool{true, false, false, true}, []float64{0.5, 0.5, 0.5, 0.5}, 0.5, 0.5},
		{"perfect", []bool{false, true}, []float64{0.2, 0.7}, 1, 1},
		{"inverted", []bool{true, false}, []float64{0.2, 0.7}, 0, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCurve(tt.pos, tt.score)
			if got := c.AUC(); math.Abs(got-tt.auc) > 1e-12 {
				t.Errorf("AUC() = %v, want %v", got, tt.auc)
			}
			if got := c.AveragePrecision(); math.Abs(got-tt.ap) > 1e-12 {
				t.Errorf("AveragePrecision() = %v, want %v", got, tt.ap)
			}
		})
	}
}

func TestAUCMatchesIndependentRecomputation(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 50 {
		n := 5 + rng.IntN(200)
		pos := make([]bool, n)
		score := make([]float64, n)
		for i := range n {
			pos[i] = rng.IntN(3) == 0
			// Coarse scores make many ties, within and across classes.
			score[i] = math.Round(rng.Float64()*10) / 10
			if pos[i] {
				score[i] = math.Min(1, score[i]+0.2)
			}
		}
		pos[0], pos[1] = true, false
		c := NewCurve(pos, score)
		mw, pair, ap := mannWhitneyAUC(pos, score), pairAUC(pos, score), meanPrecisionAtPositives(pos, score)
		if got := c.AUC(); math.Abs(got-mw) > 1e-12 || math.Abs(got-pair) > 1e-12 {
			t.Errorf("trial %d: AUC() = %v, Mann-Whitney %v, pair count %v", trial, got, mw, pair)
		}
		if got := c.AveragePrecision(); math.Abs(got-ap) > 1e-12 {
			t.Errorf("trial %d: AveragePrecision() = %v, mean precision at positives %v", trial, got, ap)
		}
	}
}

func TestROCPoints(t *testing.T) {
	// scikit-learn's roc_curve documentation example (pos_label=2).
	c := NewCurve([]bool{false, false, true, true}, []float64{0.1, 0.4, 0.35, 0.8})
	fpr, tpr := c.ROC()
	want := struct{ FPR, TPR, Thr []float64 }{
		[]float64{0, 0, 0.5, 0.5, 1},
		[]float64{0, 0.5, 0.5, 1, 1},
		[]float64{math.Inf(1), 0.8, 0.4, 0.35, 0.1},
	}
	got := struct{ FPR, TPR, Thr []float64 }{fpr, tpr, c.Thresholds}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("ROC() (-got, +want):\n%s", diff)
	}
}

func TestUndefined(t *testing.T) {
	c := NewCurve([]bool{true, true}, []float64{0.3, 0.4})
	if got := c.AUC(); !math.IsNaN(got) {
		t.Errorf("AUC() with no negatives = %v, want NaN", got)
	}
	c = NewCurve([]bool{false, false}, []float64{0.3, 0.4})
	if got := c.AveragePrecision(); !math.IsNaN(got) {
		t.Errorf("AveragePrecision() with no positives = %v, want NaN", got)
	}
}

func TestClassification(t *testing.T) {
	// Worked by hand:
	//            pred 0  1  2
	//   true 0       1  1  0
	//   true 1       0  2  0
	//   true 2       1  0  2
	y := []int{0, 0, 1, 1, 2, 2, 2}
	pred := []int{0, 1, 1, 1, 2, 0, 2}
	r := Classification(y, pred, 3)
	want := Report{
		Confusion:         [][]int{{1, 1, 0}, {0, 2, 0}, {1, 0, 2}},
		Support:           []int{2, 2, 3},
		Precision:         []float64{1.0 / 2, 2.0 / 3, 1},
		Recall:            []float64{1.0 / 2, 1, 2.0 / 3},
		F1:                []float64{0.5, 0.8, 0.8},
		Accuracy:          5.0 / 7,
		BalancedAccuracy:  (0.5 + 1 + 2.0/3) / 3,
		MacroPrecision:    (0.5 + 2.0/3 + 1) / 3,
		MacroRecall:       (0.5 + 1 + 2.0/3) / 3,
		MacroF1:           (0.5 + 0.8 + 0.8) / 3,
		WeightedPrecision: (2*0.5 + 2*2.0/3 + 3*1) / 7,
		WeightedRecall:    5.0 / 7,
		WeightedF1:        (2*0.5 + 2*0.8 + 3*0.8) / 7,
		Rows:              7,
	}
	if diff := cmp.Diff(r, want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Classification() (-got, +want):\n%s", diff)
	}
}

func TestClassificationZeroDivision(t *testing.T) {
	// Class 2 never occurs and is never predicted: it must not dilute the
	// macro average. Class 1 is never predicted: precision 0.
	r := Classification([]int{0, 0, 1}, []int{0, 0, 0}, 3)
	if r.Precision[1] != 0 || r.Recall[1] != 0 || r.F1[1] != 0 {
		t.Errorf("class 1 = %v/%v/%v, want zeros", r.Precision[1], r.Recall[1], r.F1[1])
	}
	wantMacroF1 := (2 * (2.0 / 3) * 1 / (2.0/3 + 1)) / 2
	if math.Abs(r.MacroF1-wantMacroF1) > 1e-12 {
		t.Errorf("MacroF1 = %v, want %v", r.MacroF1, wantMacroF1)
	}
	if r.BalancedAccuracy != 0.5 {
		t.Errorf("BalancedAccuracy = %v, want 0.5", r.BalancedAccuracy)
	}
}

func TestReliability(t *testing.T) {
	p := []float64{0.05, 0.15, 0.12, 0.95, 1.0, 0.5}
	hit := []bool{false, true, false, true, true, false}
	got := Reliability(p, hit, 4)
	nan := math.NaN()
	want := []Bin{
		{0, 0.25, 3, (0.05 + 0.15 + 0.12) / 3, 1.0 / 3},
		{0.25, 0.5, 0, nan, nan},
		{0.5, 0.75, 1, 0.5, 0},
		{0.75, 1, 2, 0.975, 1},
	}
	if diff := cmp.Diff(got, want, cmpopts.EquateApprox(0, 1e-12), cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("Reliability() (-got, +want):\n%s", diff)
	}
}

func TestBrier(t *testing.T) {
	// Binary: (0.1-0)^2 + (0.9-1)^2 + (0.8-0)^2 over 3 rows.
	if got, want := Brier([][]float64{{0.1, 0.9, 0.8}}, []int{0, 1, 0}, []int{1}), (0.01+0.01+0.64)/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("Brier(binary) = %v, want %v", got, want)
	}
	// Multi-class: row 0 true 0 with (0.5, 0.3, 0.2): 0.25+0.09+0.04.
	proba := [][]float64{{0.5, 0}, {0.3, 0}, {0.2, 1}}
	if got, want := Brier(proba, []int{0, 2}, []int{0, 1, 2}), (0.38+0)/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("Brier(multi) = %v, want %v", got, want)
	}
}

func TestQuantile(t *testing.T) {
	s := []float64{1, 2, 3, 4}
	tests := []struct{ q, want float64 }{{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {1, 4}, {0.995, 3.985}}
	for _, tt := range tests {
		if got := Quantile(s, tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", s, tt.q, got, tt.want)
		}
	}
}

func TestDownsample(t *testing.T) {
	tests := []struct{ n, max int }{{5, 200}, {200, 200}, {201, 200}, {40000, 200}}
	for _, tt := range tests {
		idx := Downsample(tt.n, tt.max)
		if want := min(tt.n, tt.max); len(idx) != want {
			t.Errorf("Downsample(%d, %d) has %d points, want %d", tt.n, tt.max, len(idx), want)
			continue
		}
		if idx[0] != 0 || idx[len(idx)-1] != tt.n-1 {
			t.Errorf("Downsample(%d, %d) ends %d..%d, want 0..%d", tt.n, tt.max, idx[0], idx[len(idx)-1], tt.n-1)
		}
		for i := 1; i < len(idx); i++ {
			if idx[i] <= idx[i-1] {
				t.Errorf("Downsample(%d, %d) not increasing at %d", tt.n, tt.max, i)
				break
			}
		}
	}
}
