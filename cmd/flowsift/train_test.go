package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"flowsift/datasets"
	"flowsift/extract/table"
	"flowsift/features"
	"flowsift/train/model"
)

// TestTrainOnCorpus is the model layer's acceptance test. It trains on the
// generator's training corpus exactly as `task model` does and checks that
//
//   - the model file is the shipped built-in model, byte for byte (training
//     is reproducible, here with 2 workers);
//   - the metrics `flowsift train` reports equal a recomputation written
//     independently here: labels joined from the truth files, predictions
//     from the model file, accuracy, precision, recall, F1 and the ROC AUC
//     (Mann-Whitney) counted by hand over the held-out captures;
//   - they meet the targets: accuracy and AUC >= 0.973, precision and
//     recall >= 0.95.
func TestTrainOnCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a forest on the full corpus")
	}
	dir := t.TempDir()
	corpus, work := filepath.Join(dir, "corpus"), filepath.Join(dir, "work")
	c, err := datasets.TrainingSet(t.Context(), corpus, modelCorpusSeed)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "model.rf")
	code, stdout, stderr := runCLI(t, "train", "--corpus", corpus, "-o", out, "--work", work, "--workers", "2", "-q")
	if code != 0 {
		t.Fatalf("train exit %d: %s%s", code, stdout, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile("../../train/model/builtin/default.rf")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, shipped) {
		t.Errorf("the trained model (%d bytes) differs from train/model/builtin/default.rf (%d bytes): run `task model` after changing features, training or the generator", len(got), len(shipped))
	}
	m, err := model.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ev := m.Evaluation
	if ev == nil || ev.Split.Method != "holdout" {
		t.Fatalf("evaluation %+v, want a holdout evaluation", ev)
	}

	// Recompute over the held-out captures. train extracted them into
	// work in corpus order: NNN-<name>.
	var y []bool
	var p []float64
	pos := slices.Index(m.Classes, "malicious")
	for i, e := range c.Entries {
		if e.Split != "test" {
			continue
		}
		truth, err := datasets.ReadTruth(filepath.Join(corpus, e.Truth))
		if err != nil {
			t.Fatal(err)
		}
		ex := filepath.Join(work, fmt.Sprintf("%03d-%s", i+1, strings.TrimSuffix(e.Capture, ".pcap.gz")))
		yy, pp := heldOut(t, ex, truth, m, pos)
		y, p = append(y, yy...), append(p, pp...)
	}
	var tp, fp, tn, fn int
	for i := range y {
		switch pred := p[i] >= m.Threshold; {
		case pred && y[i]:
			tp++
		case pred && !y[i]:
			fp++
		case !pred && y[i]:
			fn++
		default:
			tn++
		}
	}
	acc := float64(tp+tn) / float64(len(y))
	prec := float64(tp) / float64(tp+fp)
	rec := float64(tp) / float64(tp+fn)
	f1 := 2 * prec * rec / (prec + rec)
	auc := mannWhitneyAUC(y, p)
	pc := ev.PerClass[pos]
	for _, chk := range []struct {
		name           string
		reported, mine float64
	}{
		{"rows", float64(ev.Rows), float64(len(y))},
		{"accuracy", ev.Accuracy, acc},
		{"precision", pc.Precision, prec},
		{"recall", pc.Recall, rec},
		{"F1", pc.F1, f1},
		{"ROC AUC", float64(ev.ROCAUC), auc},
	} {
		if math.Abs(chk.reported-chk.mine) > 1e-9 {
			t.Errorf("%s: train reports %v, recomputed %v", chk.name, chk.reported, chk.mine)
		}
	}
	t.Logf("held-out rows %d: accuracy %.4f precision %.4f recall %.4f F1 %.4f AUC %.4f", len(y), acc, prec, rec, f1, auc)
	if acc < 0.973 || auc < 0.973 || prec < 0.95 || rec < 0.95 {
		t.Errorf("held-out accuracy %.4f, AUC %.4f, precision %.4f, recall %.4f; targets 0.973, 0.973, 0.95, 0.95", acc, auc, prec, rec)
	}
}

// modelCorpusSeed is the corpus seed of the built-in model (Taskfile.yml,
// task model).
const modelCorpusSeed = 1

// heldOut labels the flows of one extracted capture from its truth (by
// five-tuple and time) and predicts them with m; it returns whether each
// flow is an attack and its malicious probability.
func heldOut(t *testing.T, dir string, truth *datasets.Truth, m *model.Model, pos int) ([]bool, []float64) {
	t.Helper()
	type key struct {
		proto, oh, rh string
		op, rp        int64
	}
	label := map[key][]datasets.FlowTruth{}
	for _, f := range truth.Flows {
		k := key{f.Proto, f.OrigH, f.RespH, int64(f.OrigP), int64(f.RespP)}
		label[k] = append(label[k], f)
	}
	f, err := table.Open(filepath.Join(dir, "flows.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := f.Read("uid", "ts", "proto", "orig_h", "orig_p", "resp_h", "resp_p")
	if err != nil {
		t.Fatal(err)
	}
	attack := map[string]bool{}
	for i := range tb.Rows {
		c := tb.Column
		k := key{c("proto").Strs[i], c("orig_h").Strs[i], c("resp_h").Strs[i], c("orig_p").Ints[i], c("resp_p").Ints[i]}
		ts := c("ts").Ints[i]
		found := false
		for _, tf := range label[k] {
			if ts >= tf.TS.UnixNano()-1e9 && ts <= tf.TSEnd.UnixNano()+1e9 {
				attack[c("uid").Strs[i]] = tf.Label != "benign"
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%s: flow %v at %d is not in the truth", dir, k, ts)
		}
	}
	set, err := features.Build(dir, features.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	proba := make([][]float64, len(m.Classes))
	for i := range proba {
		proba[i] = make([]float64, set.Rows())
	}
	if err := m.PredictBatch(set.X, proba); err != nil {
		t.Fatal(err)
	}
	y := make([]bool, set.Rows())
	for i, uid := range set.UID {
		y[i] = attack[uid]
	}
	return y, proba[pos]
}

// mannWhitneyAUC is the probability that a random attack flow scores
// above a random benign one, ties counting one half.
func mannWhitneyAUC(y []bool, p []float64) float64 {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	var rankSum, nPos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && p[idx[j]] == p[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j averaged
		for k := i; k < j; k++ {
			if y[idx[k]] {
				rankSum += avg
				nPos++
			}
		}
		i = j
	}
	nNeg := float64(len(y)) - nPos
	return (rankSum - nPos*(nPos+1)/2) / (nPos * nNeg)
}
