package golearncmp

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/ensemble"

	"flowsift/train"
	"flowsift/train/internal/anchor"
	"flowsift/train/internal/metrics"
	"flowsift/train/model"
)

// load returns the anchor's first `rows` training rows and all test rows.
func load(b *testing.B) (tr, te *anchor.Table) {
	b.Helper()
	dir := anchor.Dir()
	if dir == "" {
		b.Skipf("set %s to a directory made by rf_anchor.py make N DIR", anchor.EnvDir)
	}
	tr, te, err := anchor.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	rows := 5000
	if s := os.Getenv("FLOWSIFT_GOLEARN_ROWS"); s != "" {
		if rows, err = strconv.Atoi(s); err != nil || rows < 2 {
			b.Fatalf("FLOWSIFT_GOLEARN_ROWS=%q: want a row count", s)
		}
	}
	rows = min(rows, tr.Rows())
	for j := range tr.X {
		tr.X[j] = tr.X[j][:rows]
	}
	tr.Y = tr.Y[:rows]
	return tr, te
}

// grid converts a table to golearn's row store: float attributes and a
// categorical class.
func grid(t *anchor.Table) *base.DenseInstances {
	inst := base.NewDenseInstances()
	specs := make([]base.AttributeSpec, len(t.Names))
	for j, name := range t.Names {
		specs[j] = inst.AddAttribute(base.NewFloatAttribute(name))
	}
	class := base.NewCategoricalAttribute()
	class.SetName("label")
	classSpec := inst.AddAttribute(class)
	if err := inst.AddClassAttribute(class); err != nil {
		panic(err)
	}
	if err := inst.Extend(t.Rows()); err != nil {
		panic(err)
	}
	for i := range t.Rows() {
		for j := range t.X {
			inst.Set(specs[j], i, base.PackFloatToBytes(float64(t.X[j][i])))
		}
		inst.Set(classSpec, i, class.GetSysValFromString(strconv.Itoa(t.Y[i])))
	}
	return inst
}

type result struct {
	fitS, predS, acc, auc float64
	peak                  uint64
}

func (r result) report(b *testing.B, rows int) {
	b.ReportMetric(r.fitS, "fit_s")
	b.ReportMetric(r.predS, "predict_s")
	b.ReportMetric(r.acc, "accuracy")
	b.ReportMetric(r.auc, "roc_auc")
	b.ReportMetric(float64(r.peak)/(1<<20), "peak_heap_MiB")
	b.ReportMetric(float64(anchor.MaxRSS())/(1<<20), "maxrss_MiB")
	b.ReportMetric(float64(rows), "train_rows")
	b.ReportMetric(0, "ns/op")
}

func score(te *anchor.Table, p []float64) (acc, auc float64) {
	hit := make([]bool, te.Rows())
	right := 0
	for i, y := range te.Y {
		hit[i] = y == 1
		if (p[i] >= 0.5) == hit[i] {
			right++
		}
	}
	return float64(right) / float64(te.Rows()), metrics.NewCurve(hit, p).AUC()
}

// BenchmarkGolearn fits golearn's RandomForest (100 ID3 trees, 6 of 40
// features per tree: golearn samples features per tree, not per split) and
// scores the test rows. golearn forests only vote, so the score for ROC
// AUC is the share of trees voting for class 1, the closest it has to a
// probability.
func BenchmarkGolearn(b *testing.B) {
	tr, te := load(b)
	trainGrid, testGrid := grid(tr), grid(te)
	var r result
	runtime.GC()
	for b.Loop() {
		h := anchor.StartHeapSampler()
		rf := ensemble.NewRandomForest(100, 6)
		t0 := time.Now()
		if err := rf.Fit(trainGrid); err != nil {
			b.Fatal(err)
		}
		r.fitS = time.Since(t0).Seconds()
		t0 = time.Now()
		votes := make([]float64, te.Rows())
		for _, tree := range rf.Model.Models {
			pred, err := tree.Predict(testGrid)
			if err != nil {
				b.Fatal(err)
			}
			for i := range votes {
				if base.GetClass(pred, i) == "1" {
					votes[i]++
				}
			}
		}
		for i := range votes {
			votes[i] /= float64(len(rf.Model.Models))
		}
		r.predS = time.Since(t0).Seconds()
		r.peak = h.Stop()
		r.acc, r.auc = score(te, votes)
	}
	r.report(b, tr.Rows())
}

// BenchmarkFlowsift is flowsift's forest on the same rows, for the side by
// side.
func BenchmarkFlowsift(b *testing.B) {
	tr, te := load(b)
	d := &train.Dataset{Schema: model.FeatureSchema{Names: tr.Names}, X: tr.X, Y: tr.Y, Classes: []string{"0", "1"}}
	cfg := train.DefaultConfig()
	cfg.Workers = 2
	cfg.Seed = 7
	var r result
	runtime.GC()
	for b.Loop() {
		h := anchor.StartHeapSampler()
		t0 := time.Now()
		res, err := train.Fit(context.Background(), d, cfg)
		if err != nil {
			b.Fatal(err)
		}
		r.fitS = time.Since(t0).Seconds()
		out := [][]float64{make([]float64, te.Rows()), make([]float64, te.Rows())}
		t0 = time.Now()
		if err := res.Model.PredictBatch(te.X, out); err != nil {
			b.Fatal(err)
		}
		r.predS = time.Since(t0).Seconds()
		r.peak = h.Stop()
		r.acc, r.auc = score(te, out[1])
	}
	r.report(b, tr.Rows())
}
