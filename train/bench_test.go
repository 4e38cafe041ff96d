package train

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"flowsift/train/internal/anchor"
	"flowsift/train/internal/metrics"
	"flowsift/train/model"
)

// BenchmarkAnchor trains on the shared speed anchor (rf_anchor.py make N
// DIR; FLOWSIFT_RF_ANCHOR_DIR=DIR) with scikit-learn's settings: 100 trees,
// sqrt features, bootstrap, 2 workers, seed 7 (FLOWSIFT_RF_ANCHOR_SEED
// overrides it). Compare with `rf_anchor.py fit DIR 2` run on the same
// machine. fit_cpu_s is the CPU time the fit used, which other tenants of a
// shared machine disturb less than the wall time.
func BenchmarkAnchor(b *testing.B) {
	dir := anchor.Dir()
	if dir == "" {
		b.Skipf("set %s to a directory made by rf_anchor.py make N DIR", anchor.EnvDir)
	}
	tr, te, err := anchor.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	d := &Dataset{
		Schema:  model.FeatureSchema{Version: "rf-anchor", Names: tr.Names},
		X:       tr.X,
		Y:       tr.Y,
		Classes: []string{"0", "1"},
	}
	cfg := DefaultConfig()
	cfg.Workers = 2
	cfg.Seed = 7
	if s := os.Getenv("FLOWSIFT_RF_ANCHOR_SEED"); s != "" {
		// Other seeds show the seed-to-seed spread of the scores.
		if cfg.Seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			b.Fatalf("FLOWSIFT_RF_ANCHOR_SEED=%q: %v", s, err)
		}
	}
	out := [][]float64{make([]float64, te.Rows()), make([]float64, te.Rows())}
	var fitS, fitCPU, predS float64
	var peak uint64
	var nodes int
	runtime.GC()
	for b.Loop() {
		h := anchor.StartHeapSampler()
		t0, cpu0 := time.Now(), anchor.CPUSeconds()
		res, err := Fit(context.Background(), d, cfg)
		if err != nil {
			b.Fatal(err)
		}
		fitS, fitCPU = time.Since(t0).Seconds(), anchor.CPUSeconds()-cpu0
		t0 = time.Now()
		if err := res.Model.PredictBatch(te.X, out); err != nil {
			b.Fatal(err)
		}
		predS = time.Since(t0).Seconds()
		peak = h.Stop()
		nodes = res.Model.Forest.NumNodes()
	}
	hit := make([]bool, te.Rows())
	right := 0
	for i, y := range te.Y {
		hit[i] = y == 1
		if (out[1][i] >= 0.5) == hit[i] {
			right++
		}
	}
	auc := metrics.NewCurve(hit, out[1]).AUC()
	// ReportMetric rounds to four digits; the comparison needs more.
	b.Logf("fit %.2fs (cpu %.2fs), predict %.3fs, accuracy %.5f, roc_auc %.5f, %d nodes", fitS, fitCPU, predS,
		float64(right)/float64(te.Rows()), auc, nodes)
	b.ReportMetric(fitS, "fit_s")
	b.ReportMetric(fitCPU, "fit_cpu_s")
	b.ReportMetric(predS, "predict_s")
	b.ReportMetric(float64(right)/float64(te.Rows()), "accuracy")
	b.ReportMetric(auc, "roc_auc")
	b.ReportMetric(float64(peak)/(1<<20), "peak_heap_MiB")
	b.ReportMetric(float64(anchor.MaxRSS())/(1<<20), "maxrss_MiB")
	b.ReportMetric(float64(nodes), "nodes")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkFit grows 20 trees on 5,000 synthetic rows; it needs no
// external data, so CI smoke-runs it with -benchtime=1x.
func BenchmarkFit(b *testing.B) {
	d := synth(50, 5000, 20, 8, 2, 0.02, 0)
	cfg := DefaultConfig()
	cfg.Trees = 20
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(context.Background(), d, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Rows())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFitIsolation fits the default isolation forest (100 trees,
// ψ=256) to 20,000 baseline rows and scores them for the threshold.
func BenchmarkFitIsolation(b *testing.B) {
	cols := baseline(51, 20000, 12, 0, 0)
	cfg := DefaultIsolationConfig()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitIsolation(context.Background(), cols, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(20000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPredictTrained scores 10,000 rows with a forest grown by Fit
// (real tree shapes, unlike the random trees of the model package's
// benchmark).
func BenchmarkPredictTrained(b *testing.B) {
	d := synth(52, 20000, 20, 8, 2, 0.02, 0)
	res, err := Fit(context.Background(), d.subset(seqRows(0, 10000)), DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	test := d.subset(seqRows(10000, 20000))
	out := [][]float64{make([]float64, test.Rows()), make([]float64, test.Rows())}
	b.ReportAllocs()
	for b.Loop() {
		if err := res.Model.PredictBatch(test.X, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(test.Rows())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
