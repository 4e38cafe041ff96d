package train

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"

	"flowsift/train/internal/metrics"
	"flowsift/train/model"
)

// PermutationMetric is the held-out score whose drop permutation importance
// reports.
const PermutationMetric = "roc_auc"

// Evaluate estimates how the forest cfg describes performs on rows it has
// not seen. Rows are split into cfg.Folds folds (stratified by class, or by
// group so that no group straddles a split); for each fold a forest is
// grown on the other folds and predicts the fold. All metrics are computed
// on the pooled held-out predictions, and per fold; permutation importance
// shuffles each feature on the held-out side.
func Evaluate(ctx context.Context, d *Dataset, cfg Config) (*model.Evaluation, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	pos, err := positiveClass(cfg, d.Classes)
	if err != nil {
		return nil, err
	}
	k, n, nf := len(d.Classes), d.Rows(), len(d.X)
	ev := &model.Evaluation{
		Classes:            slices.Clone(d.Classes),
		PositiveClass:      pos,
		Threshold:          model.Metric(cfg.Threshold),
		Rows:               n,
		PermutationMetric:  PermutationMetric,
		PermutationRepeats: cfg.PermutationRepeats,
	}
	if k > 2 {
		ev.Threshold = model.Metric(math.NaN())
	}
	assign, err := assignFolds(d, cfg, ev)
	if err != nil {
		return nil, err
	}

	proba := make([][]float64, k)
	for c := range proba {
		proba[c] = make([]float64, n)
	}
	impurity := make([]float64, nf)
	drops := make([][]float64, nf)
	workers := resolveWorkers(cfg.Workers)
	for f := range ev.Split.Folds {
		trainRows, testRows := foldRows(assign, f)
		if len(trainRows) == 0 || len(testRows) == 0 {
			return nil, fmt.Errorf("%w: fold %d has %d training and %d held-out rows", ErrDataset, f, len(trainRows), len(testRows))
		}
		trainD, testD := d.subset(trainRows), d.subset(testRows)
		for c, cnt := range classCounts(trainD.Y, k) {
			if cnt == 0 {
				ev.Warnings = append(ev.Warnings, fmt.Sprintf("fold %d: training side has no rows of class %q; its model cannot predict it", f, d.Classes[c]))
			}
		}
		fit, err := fitForest(ctx, trainD, cfg, false)
		if err != nil {
			return nil, fmt.Errorf("evaluate fold %d: %w", f, err)
		}
		out := newProba(k, len(testRows))
		if err := fit.forest.MeanBatch(testD.X, out); err != nil {
			return nil, fmt.Errorf("evaluate fold %d: %w", f, err)
		}
		for c := range k {
			for i, r := range testRows {
				proba[c][r] = out[c][i]
			}
		}
		fm := foldMetrics(f, out, testD, len(trainRows), pos, cfg.Threshold)
		if d.Groups != nil {
			fm.TestGroups = distinct(testD.Groups)
		}
		ev.Folds = append(ev.Folds, fm)
		for j, v := range fit.importance {
			impurity[j] += v
		}
		if cfg.PermutationRepeats > 0 {
			base := rocAUC(out, testD.Y, k, pos)
			if math.IsNaN(base) {
				ev.Warnings = append(ev.Warnings, fmt.Sprintf("fold %d: held-out side has one class, so no ROC AUC and no permutation importance", f))
			} else {
				permute(fit.forest, testD, base, f, cfg, pos, workers, drops)
			}
		}
		if cfg.Logger != nil {
			cfg.Logger.Debug("fold evaluated", slog.Int("fold", f), slog.Int("train_rows", len(trainRows)),
				slog.Int("test_rows", len(testRows)), slog.Float64("accuracy", fm.Accuracy))
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
	}
	if ev.Split.Method == SplitHoldout {
		// Only the held-out side was predicted.
		_, testRows := foldRows(assign, 0)
		held := d.subset(testRows)
		hp := newProba(k, len(testRows))
		for c := range k {
			for i, r := range testRows {
				hp[c][i] = proba[c][r]
			}
		}
		ev.Rows = len(testRows)
		if d.Groups != nil {
			ev.Split.Groups = distinct(held.Groups)
		}
		pooled(ev, hp, held.Y, pos, cfg)
	} else {
		pooled(ev, proba, d.Y, pos, cfg)
	}
	if s := sum(impurity); s > 0 {
		for j := range impurity {
			impurity[j] /= s
		}
	}
	ev.Importance = make([]model.FeatureImportance, nf)
	for j := range nf {
		mean, std := meanStd(drops[j])
		ev.Importance[j] = model.FeatureImportance{
			Feature:         d.Schema.Names[j],
			Impurity:        impurity[j],
			PermutationMean: model.Metric(mean),
			PermutationStd:  model.Metric(std),
		}
	}
	return ev, nil
}

func newProba(k, n int) [][]float64 {
	out := make([][]float64, k)
	for c := range out {
		out[c] = make([]float64, n)
	}
	return out
}

// assignFolds picks the split method and assigns rows to folds, recording
// the method and any weakness in ev.
func assignFolds(d *Dataset, cfg Config, ev *model.Evaluation) ([]int, error) {
	method := cfg.Split
	if method == SplitAuto {
		switch {
		case d.Holdout != nil:
			method = SplitHoldout
		case d.Groups != nil && distinct(d.Groups) >= cfg.Folds:
			method = SplitGroup
		case d.Groups != nil:
			method = SplitStratified
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("%d captures for %d folds: stratified k-fold instead of group k-fold, "+
				"so flows of one capture sit on both sides of a split and the scores are optimistic; give more captures or held-out inputs (--test)",
				distinct(d.Groups), cfg.Folds))
		default:
			method = SplitStratified
		}
	}
	ev.Split = model.SplitInfo{Method: method, Folds: cfg.Folds, Seed: cfg.Seed}
	if method == SplitHoldout {
		if d.Holdout == nil {
			return nil, fmt.Errorf("%w: holdout split needs Dataset.Holdout", ErrDataset)
		}
		// One "fold": fold 0 is the held-out side.
		ev.Split.Folds = 1
		assign := make([]int, len(d.Holdout))
		for i, h := range d.Holdout {
			if !h {
				assign[i] = 1
			}
		}
		if d.Groups != nil {
			ev.Split.GroupKey = cfg.GroupKey
		}
		return assign, nil
	}
	if method == SplitGroup {
		if d.Groups == nil {
			return nil, fmt.Errorf("%w: group split needs Dataset.Groups", ErrDataset)
		}
		assign, groups, err := groupFolds(d.Groups, cfg.Folds)
		if err != nil {
			return nil, err
		}
		ev.Split.GroupKey = cfg.GroupKey
		ev.Split.Groups = groups
		return assign, nil
	}
	if len(d.Y) < cfg.Folds {
		return nil, fmt.Errorf("%w: %d rows for %d folds", ErrDataset, len(d.Y), cfg.Folds)
	}
	for c, cnt := range classCounts(d.Y, len(d.Classes)) {
		if cnt < cfg.Folds {
			ev.Warnings = append(ev.Warnings, fmt.Sprintf("class %q has %d rows, fewer than the %d folds", d.Classes[c], cnt, cfg.Folds))
		}
	}
	return stratifiedFolds(d.Y, len(d.Classes), cfg.Folds, cfg.Seed), nil
}

func distinct(s []string) int {
	seen := map[string]struct{}{}
	for _, v := range s {
		seen[v] = struct{}{}
	}
	return len(seen)
}

func predictions(proba [][]float64, pos int, threshold float64) []int {
	k, n := len(proba), len(proba[0])
	pred := make([]int, n)
	p := make([]float64, k)
	for i := range n {
		for c := range k {
			p[c] = proba[c][i]
		}
		pred[i] = decide(p, pos, threshold)
	}
	return pred
}

func foldMetrics(f int, out [][]float64, test *Dataset, trainRows, pos int, threshold float64) model.FoldMetrics {
	k := len(out)
	r := metrics.Classification(test.Y, predictions(out, pos, threshold), k)
	return model.FoldMetrics{
		Fold:      f,
		TrainRows: trainRows,
		TestRows:  test.Rows(),
		Accuracy:  r.Accuracy,
		MacroF1:   r.MacroF1,
		ROCAUC:    model.Metric(rocAUC(out, test.Y, k, pos)),
		PRAUC:     model.Metric(averagePrecision(out, test.Y, k, pos)),
	}
}

// curveOf is class c against the rest.
func curveOf(proba [][]float64, y []int, c int) metrics.Curve {
	hit := make([]bool, len(y))
	for i, v := range y {
		hit[i] = v == c
	}
	return metrics.NewCurve(hit, proba[c])
}

// scoredClasses are the classes a summary AUC averages over: the positive
// class for binary problems, every class otherwise.
func scoredClasses(k, pos int) []int {
	if k == 2 {
		return []int{pos}
	}
	cs := make([]int, k)
	for c := range cs {
		cs[c] = c
	}
	return cs
}

// macro averages f over the classes where it is defined.
func macro(k, pos int, f func(c int) float64) float64 {
	var total float64
	var defined int
	for _, c := range scoredClasses(k, pos) {
		if v := f(c); !math.IsNaN(v) {
			total += v
			defined++
		}
	}
	if defined == 0 {
		return math.NaN()
	}
	return total / float64(defined)
}

// rocAUC is the positive class AUC (binary) or the one-vs-rest macro AUC
// over the classes for which it is defined.
func rocAUC(proba [][]float64, y []int, k, pos int) float64 {
	return macro(k, pos, func(c int) float64 { return curveOf(proba, y, c).AUC() })
}

func averagePrecision(proba [][]float64, y []int, k, pos int) float64 {
	return macro(k, pos, func(c int) float64 { return curveOf(proba, y, c).AveragePrecision() })
}

// pooled fills ev's overall metrics from the held-out predictions.
func pooled(ev *model.Evaluation, proba [][]float64, y []int, pos int, cfg Config) {
	k := len(proba)
	pred := predictions(proba, pos, cfg.Threshold)
	r := metrics.Classification(y, pred, k)
	ev.Accuracy = r.Accuracy
	ev.BalancedAccuracy = r.BalancedAccuracy
	ev.Macro = model.PRF{Precision: r.MacroPrecision, Recall: r.MacroRecall, F1: r.MacroF1}
	ev.Weighted = model.PRF{Precision: r.WeightedPrecision, Recall: r.WeightedRecall, F1: r.WeightedF1}
	ev.Confusion = model.Confusion{Labels: slices.Clone(ev.Classes), Matrix: r.Confusion}
	curves := make([]metrics.Curve, k)
	for c := range k {
		curves[c] = curveOf(proba, y, c)
		ev.PerClass = append(ev.PerClass, model.ClassReport{
			Class:     ev.Classes[c],
			Support:   r.Support[c],
			Precision: r.Precision[c],
			Recall:    r.Recall[c],
			F1:        r.F1[c],
			ROCAUC:    model.Metric(curves[c].AUC()),
			PRAUC:     model.Metric(curves[c].AveragePrecision()),
		})
	}
	ev.ROCAUC = model.Metric(macro(k, pos, func(c int) float64 { return curves[c].AUC() }))
	ev.PRAUC = model.Metric(macro(k, pos, func(c int) float64 { return curves[c].AveragePrecision() }))
	for _, c := range scoredClasses(k, pos) {
		ev.Curves = append(ev.Curves, classCurves(ev.Classes[c], curves[c]))
	}
	ev.Calibration = calibration(proba, y, pred, pos, ev.Classes, cfg.CalibrationBins)
}

func classCurves(name string, c metrics.Curve) model.ClassCurves {
	cc := model.ClassCurves{Class: name, ROC: []model.ROCPoint{}, PR: []model.PRPoint{}}
	if fpr, tpr := c.ROC(); fpr != nil {
		for _, i := range metrics.Downsample(len(fpr), model.MaxCurvePoints) {
			cc.ROC = append(cc.ROC, model.ROCPoint{FPR: fpr[i], TPR: tpr[i], Threshold: model.Metric(c.Thresholds[i])})
		}
	}
	if recall, precision := c.PR(); recall != nil {
		// The closing (recall 0, precision 1) point anchors the curve's
		// left end, as scikit-learn's precision_recall_curve adds it.
		idx := metrics.Downsample(len(recall), model.MaxCurvePoints-1)
		cc.PR = append(cc.PR, model.PRPoint{Recall: 0, Precision: 1, Threshold: model.Metric(math.NaN())})
		for _, i := range idx {
			cc.PR = append(cc.PR, model.PRPoint{Recall: recall[i], Precision: precision[i], Threshold: model.Metric(c.Thresholds[i+1])})
		}
	}
	return cc
}

func calibration(proba [][]float64, y, pred []int, pos int, classes []string, bins int) model.Calibration {
	k, n := len(proba), len(y)
	var p []float64
	hit := make([]bool, n)
	var cal model.Calibration
	if k == 2 {
		cal.Of = "P(" + classes[pos] + ")"
		p = proba[pos]
		for i := range n {
			hit[i] = y[i] == pos
		}
		cal.Brier = metrics.Brier([][]float64{proba[pos]}, y, []int{pos})
	} else {
		cal.Of = "top-label confidence"
		p = make([]float64, n)
		for i := range n {
			p[i] = proba[pred[i]][i]
			hit[i] = pred[i] == y[i]
		}
		cal.Brier = metrics.Brier(proba, y, scoredClasses(k, pos))
	}
	for _, b := range metrics.Reliability(p, hit, bins) {
		cal.Bins = append(cal.Bins, model.CalibrationBin{
			Lower: b.Lower, Upper: b.Upper, Count: b.Count,
			MeanPredicted: model.Metric(b.MeanPredicted), Observed: model.Metric(b.Observed),
		})
	}
	return cal
}

// permute measures, for every feature, the drop of the held-out AUC when
// the feature's held-out values are shuffled, cfg.PermutationRepeats times.
// Features run in parallel; each shuffle has its own seed, so drops[j] gets
// the same values in the same order for any worker count.
func permute(forest *model.Forest, test *Dataset, base float64, fold int, cfg Config, pos, workers int, drops [][]float64) {
	nf, n, k := len(test.X), test.Rows(), len(test.Classes)
	reps := cfg.PermutationRepeats
	type scratch struct {
		cols [][]float32
		col  []float32
		out  [][]float64
	}
	ws := make([]*scratch, workers)
	results := make([][]float64, nf)
	parallel(workers, nf, func(w, j int) {
		s := ws[w]
		if s == nil {
			s = &scratch{cols: make([][]float32, nf), col: make([]float32, n), out: newProba(k, n)}
			ws[w] = s
		}
		copy(s.cols, test.X)
		s.cols[j] = s.col
		results[j] = make([]float64, reps)
		for r := range reps {
			copy(s.col, test.X[j])
			s1, s2 := treeSeed(cfg.Seed, streamPermutation, uint64((fold*nf+j)*reps+r))
			rng := rand.New(rand.NewPCG(s1, s2))
			rng.Shuffle(n, func(a, b int) { s.col[a], s.col[b] = s.col[b], s.col[a] })
			// Shapes match the forest by construction.
			_ = forest.MeanBatch(s.cols, s.out)
			results[j][r] = base - rocAUC(s.out, test.Y, k, pos)
		}
	})
	for j := range nf {
		drops[j] = append(drops[j], results[j]...)
	}
}

// meanStd is the mean and population standard deviation (scikit-learn's
// importances_std), NaN for no values.
func meanStd(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	m := sum(v) / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += float64((x - m) * (x - m))
	}
	return m, math.Sqrt(ss / float64(len(v)))
}
