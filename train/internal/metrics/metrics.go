// Package metrics computes classification metrics the way scikit-learn
// defines them, for flowsift's evaluation and benchmarks.
//
// # Input
//
// True class indices, predicted class indices, and scores (probabilities)
// as plain slices. Binary curve functions take a positive mask and the
// positive-class score.
//
// # Output
//
// Plain numbers and slices; an undefined value (AUC with one class present,
// average precision without positives) is NaN.
//
// # Invariants
//
// Tied scores form one operating point, so ROC AUC equals the Mann-Whitney
// U statistic with ties counted one half, and average precision is the mean
// over positives of the precision at their score. Divisions by zero in
// precision, recall and F1 give 0 (scikit-learn's zero_division=0).
package metrics

import (
	"cmp"
	"math"
	"slices"
)

// Curve is a binary classifier's operating points, from the strictest
// threshold (+Inf: nothing predicted positive) to the loosest. Point i
// predicts positive every row scoring >= Thresholds[i]; TP and FP count the
// positives and negatives it catches.
type Curve struct {
	Thresholds []float64
	TP, FP     []int
	P, N       int // positives and negatives in total
}

// NewCurve builds the operating points of scores against pos. Rows with
// equal scores enter together.
func NewCurve(pos []bool, score []float64) Curve {
	order := make([]int, len(score))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
	c := Curve{Thresholds: []float64{math.Inf(1)}, TP: []int{0}, FP: []int{0}}
	var tp, fp int
	for k, i := range order {
		if pos[i] {
			tp++
		} else {
			fp++
		}
		if k+1 < len(order) && score[order[k+1]] == score[i] {
			continue
		}
		c.Thresholds = append(c.Thresholds, score[i])
		c.TP = append(c.TP, tp)
		c.FP = append(c.FP, fp)
	}
	c.P, c.N = tp, fp
	return c
}

// ROC returns the false and true positive rates of each point, or nil when
// one class is absent.
func (c Curve) ROC() (fpr, tpr []float64) {
	if c.P == 0 || c.N == 0 {
		return nil, nil
	}
	fpr = make([]float64, len(c.TP))
	tpr = make([]float64, len(c.TP))
	for i := range c.TP {
		fpr[i] = float64(c.FP[i]) / float64(c.N)
		tpr[i] = float64(c.TP[i]) / float64(c.P)
	}
	return fpr, tpr
}

// AUC is the area under the ROC curve by the trapezoid rule; NaN when one
// class is absent. A tie between a positive and a negative makes a diagonal
// segment, which is how it comes to count one half.
func (c Curve) AUC() float64 {
	fpr, tpr := c.ROC()
	if fpr == nil {
		return math.NaN()
	}
	var a float64
	for i := 1; i < len(fpr); i++ {
		a += float64((fpr[i]-fpr[i-1])*(tpr[i]+tpr[i-1])) / 2
	}
	return a
}

// PR returns recall and precision per point, strictest first, without the
// +Inf point (which predicts nothing, so has no precision); nil without
// positives.
func (c Curve) PR() (recall, precision []float64) {
	if c.P == 0 {
		return nil, nil
	}
	for i := 1; i < len(c.TP); i++ {
		recall = append(recall, float64(c.TP[i])/float64(c.P))
		precision = append(precision, float64(c.TP[i])/float64(c.TP[i]+c.FP[i]))
	}
	return recall, precision
}

// AveragePrecision is sum over points of (R_n - R_{n-1}) P_n, the step-wise
// area under the precision-recall curve without interpolation; NaN without
// positives.
func (c Curve) AveragePrecision() float64 {
	recall, precision := c.PR()
	if recall == nil {
		return math.NaN()
	}
	var ap, prev float64
	for i := range recall {
		ap += float64((recall[i] - prev) * precision[i])
		prev = recall[i]
	}
	return ap
}

// Downsample returns at most maxPoints indices into a curve of n points,
// evenly spaced, always keeping the first and the last.
func Downsample(n, maxPoints int) []int {
	if n <= maxPoints {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, maxPoints)
	for i := range idx {
		idx[i] = int(math.Round(float64(i) * float64(n-1) / float64(maxPoints-1)))
	}
	return idx
}

// Report is a confusion matrix (Confusion[true][predicted]) and the
// per-class and averaged scores derived from it.
type Report struct {
	Confusion             [][]int
	Support               []int
	Precision, Recall, F1 []float64
	Accuracy              float64
	BalancedAccuracy      float64
	MacroPrecision        float64
	MacroRecall, MacroF1  float64
	WeightedPrecision     float64
	WeightedRecall        float64
	WeightedF1            float64
	Rows                  int
}

// Classification compares true and predicted class indices in [0, k).
// Macro averages run over the classes that occur in y or pred (as
// scikit-learn's default labels do); weighted averages weight by support;
// balanced accuracy is the mean recall over classes present in y.
func Classification(y, pred []int, k int) Report {
	r := Report{
		Confusion: make([][]int, k),
		Support:   make([]int, k),
		Precision: make([]float64, k),
		Recall:    make([]float64, k),
		F1:        make([]float64, k),
		Rows:      len(y),
	}
	for c := range r.Confusion {
		r.Confusion[c] = make([]int, k)
	}
	for i := range y {
		r.Confusion[y[i]][pred[i]]++
	}
	predicted := make([]int, k)
	correct := 0
	for c := range k {
		for p := range k {
			r.Support[c] += r.Confusion[c][p]
			predicted[p] += r.Confusion[c][p]
		}
		correct += r.Confusion[c][c]
	}
	var present, seen int
	for c := range k {
		tp := float64(r.Confusion[c][c])
		r.Precision[c] = safeDiv(tp, float64(predicted[c]))
		r.Recall[c] = safeDiv(tp, float64(r.Support[c]))
		r.F1[c] = safeDiv(2*r.Precision[c]*r.Recall[c], r.Precision[c]+r.Recall[c])
		if r.Support[c] > 0 {
			present++
			r.BalancedAccuracy += r.Recall[c]
		}
		if r.Support[c] > 0 || predicted[c] > 0 {
			seen++
			r.MacroPrecision += r.Precision[c]
			r.MacroRecall += r.Recall[c]
			r.MacroF1 += r.F1[c]
		}
		w := float64(r.Support[c])
		r.WeightedPrecision += float64(w * r.Precision[c])
		r.WeightedRecall += float64(w * r.Recall[c])
		r.WeightedF1 += float64(w * r.F1[c])
	}
	r.Accuracy = safeDiv(float64(correct), float64(len(y)))
	r.BalancedAccuracy = safeDiv(r.BalancedAccuracy, float64(present))
	r.MacroPrecision = safeDiv(r.MacroPrecision, float64(seen))
	r.MacroRecall = safeDiv(r.MacroRecall, float64(seen))
	r.MacroF1 = safeDiv(r.MacroF1, float64(seen))
	r.WeightedPrecision = safeDiv(r.WeightedPrecision, float64(len(y)))
	r.WeightedRecall = safeDiv(r.WeightedRecall, float64(len(y)))
	r.WeightedF1 = safeDiv(r.WeightedF1, float64(len(y)))
	return r
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Bin is one reliability bin [Lower, Upper); the last bin includes 1.
type Bin struct {
	Lower, Upper  float64
	Count         int
	MeanPredicted float64 // NaN when empty
	Observed      float64 // NaN when empty
}

// Reliability bins probabilities p into n equal-width bins on [0, 1] and
// compares each bin's mean probability with the frequency of hit.
func Reliability(p []float64, hit []bool, n int) []Bin {
	bins := make([]Bin, n)
	sumP := make([]float64, n)
	sumY := make([]float64, n)
	for i, v := range p {
		b := min(max(int(v*float64(n)), 0), n-1)
		bins[b].Count++
		sumP[b] += v
		if hit[i] {
			sumY[b]++
		}
	}
	for b := range bins {
		bins[b].Lower = float64(b) / float64(n)
		bins[b].Upper = float64(b+1) / float64(n)
		bins[b].MeanPredicted, bins[b].Observed = math.NaN(), math.NaN()
		if c := float64(bins[b].Count); c > 0 {
			bins[b].MeanPredicted = sumP[b] / c
			bins[b].Observed = sumY[b] / c
		}
	}
	return bins
}

// Brier is the mean over rows of the summed squared difference between the
// probability vector proba[class][row] and the one-hot true class. Binary
// callers pass only the positive class column to get scikit-learn's
// brier_score_loss.
func Brier(proba [][]float64, y []int, classes []int) float64 {
	if len(y) == 0 {
		return math.NaN()
	}
	var s float64
	for i := range y {
		for ci, c := range classes {
			d := proba[ci][i]
			if y[i] == c {
				d -= 1
			}
			s += float64(d * d)
		}
	}
	return s / float64(len(y))
}

// Quantile is the q-quantile of sorted values by linear interpolation
// between closest ranks (NumPy's default); NaN for no values.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	pos := q * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		return sorted[n-1]
	}
	frac := pos - float64(lo)
	return sorted[lo] + float64(frac*(sorted[lo+1]-sorted[lo]))
}
