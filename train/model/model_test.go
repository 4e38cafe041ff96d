package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var nan32 = float32(math.NaN())

// equateMetrics treats undefined metrics as equal: NaN and ±Inf all travel
// as JSON null and come back as NaN.
var equateMetrics = cmp.Comparer(func(a, b Metric) bool { return a == b || !a.Valid() && !b.Valid() })

func TestPredictProba(t *testing.T) {
	m := handModel(t)
	f9, f1, f2, f8 := float64(float32(0.9)), float64(float32(0.1)), float64(float32(0.2)), float64(float32(0.8))
	tests := []struct {
		name string
		row  []float32
		want []float64
	}{
		{"left-left", []float32{0, 0}, []float64{(f9 + 1) / 2, f1 / 2}},
		{"right-left", []float32{1, 5}, []float64{(f2 + 1) / 2, f8 / 2}},
		{"right-inner-right", []float32{3, 5}, []float64{(f2 + 0.5) / 2, (f8 + 0.5) / 2}},
		{"threshold-is-inclusive", []float32{0.5, 10}, []float64{(f9 + 1) / 2, f1 / 2}},
		{"nan-goes-left-when-flagged", []float32{nan32, 20}, []float64{f9 / 2, (f1 + 1) / 2}},
		{"nan-goes-right-by-default", []float32{0.5, nan32}, []float64{f9 / 2, (f1 + 1) / 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]float64, 2)
			if err := m.PredictProba(tt.row, got); err != nil {
				t.Fatalf("PredictProba() error = %v", err)
			}
			if diff := cmp.Diff(got, tt.want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("PredictProba(%v) (-got, +want):\n%s", tt.row, diff)
			}
		})
	}
}

func TestPredictShapeErrors(t *testing.T) {
	m := handModel(t)
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"short row", func() error { return m.PredictProba([]float32{1}, make([]float64, 2)) }, ErrShape},
		{"short out", func() error { return m.PredictProba([]float32{1, 2}, make([]float64, 1)) }, ErrShape},
		{"too few columns", func() error { return m.PredictBatch([][]float32{{1}}, [][]float64{{0}, {0}}) }, ErrShape},
		{"ragged columns", func() error { return m.PredictBatch([][]float32{{1, 2}, {1}}, [][]float64{{0, 0}, {0, 0}}) }, ErrShape},
		{"short out column", func() error { return m.PredictBatch([][]float32{{1, 2}, {1, 2}}, [][]float64{{0, 0}, {0}}) }, ErrShape},
		{"no forest", func() error { return (&Model{}).PredictProba(nil, nil) }, ErrNoForest},
		{"no anomaly", func() error { _, err := (&Model{}).AnomalyScore(nil); return err }, ErrNoAnomaly},
		{"anomaly short row", func() error { _, err := m.AnomalyScore([]float32{1}); return err }, ErrShape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestPredictBatchMatchesRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, width := range []int{2, 3} {
		f := randomForest(t, rng, 5, width, 7, 40, false)
		m := &Model{Schema: FeatureSchema{Names: []string{"a", "b", "c", "d", "e"}}, Classes: make([]string, width), Forest: f}
		n := 3*batchBlock + 17 // crosses block boundaries
		cols := randomCols(rng, 5, n)
		out := make([][]float64, width)
		for k := range out {
			out[k] = make([]float64, n)
		}
		if err := m.PredictBatch(cols, out); err != nil {
			t.Fatalf("PredictBatch() error = %v", err)
		}
		row := make([]float32, 5)
		got := make([]float64, width)
		for i := range n {
			for j := range cols {
				row[j] = cols[j][i]
			}
			if err := m.PredictProba(row, got); err != nil {
				t.Fatalf("PredictProba() error = %v", err)
			}
			for k := range got {
				// Bit equality: both paths must sum trees in the same order.
				if got[k] != out[k][i] {
					t.Fatalf("width %d row %d class %d: PredictProba %v, PredictBatch %v", width, i, k, got[k], out[k][i])
				}
			}
		}
	}
}

func TestPredictAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	f := randomForest(t, rng, 4, 2, 5, 20, false)
	cols := randomCols(rng, 4, 1000)
	out := [][]float64{make([]float64, 1000), make([]float64, 1000)}
	row := []float32{1, 2, 3, 4}
	proba := make([]float64, 2)
	a := handIsolation(t)
	scores := make([]float64, 3)
	acols := [][]float32{{1, 2, 3}, {4, 5, 6}}
	tests := []struct {
		name string
		fn   func()
	}{
		{"Mean", func() { _ = f.Mean(row, proba) }},
		{"MeanBatch", func() { _ = f.MeanBatch(cols, out) }},
		{"ScoreBatch", func() { _ = a.ScoreBatch(acols, scores) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(20, tt.fn); n != 0 {
				t.Errorf("%s allocates %v times per call, want 0", tt.name, n)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		positive  int
		threshold float64
		proba     []float64
		want      int
	}{
		{"binary above", 1, 0.3, []float64{0.65, 0.35}, 1},
		{"binary at threshold", 1, 0.35, []float64{0.65, 0.35}, 1},
		{"binary below", 1, 0.5, []float64{0.65, 0.35}, 0},
		{"binary positive 0", 0, 0.9, []float64{0.8, 0.2}, 1},
		{"multi argmax", 0, 0.5, []float64{0.2, 0.5, 0.3}, 1},
		{"multi tie lowest", 0, 0.5, []float64{0.4, 0.2, 0.4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Model{PositiveClass: tt.positive, Threshold: tt.threshold}
			if got := m.Classify(tt.proba); got != tt.want {
				t.Errorf("Classify(%v) = %d, want %d", tt.proba, got, tt.want)
			}
		})
	}
}

func TestCheckSchema(t *testing.T) {
	m := &Model{Schema: FeatureSchema{Version: "v1", Names: []string{"a", "b", "c"}}}
	tests := []struct {
		name    string
		schema  FeatureSchema
		wantErr bool
		mention string
	}{
		{"equal", FeatureSchema{Version: "v1", Names: []string{"a", "b", "c"}}, false, ""},
		{"version", FeatureSchema{Version: "v2", Names: []string{"a", "b", "c"}}, true, `"v2"`},
		{"renamed", FeatureSchema{Version: "v1", Names: []string{"a", "x", "c"}}, true, `feature 1 is "x", model expects "b"`},
		{"reordered", FeatureSchema{Version: "v1", Names: []string{"a", "c", "b"}}, true, `feature 1 is "c"`},
		{"missing", FeatureSchema{Version: "v1", Names: []string{"a", "b"}}, true, `first missing: "c"`},
		{"extra", FeatureSchema{Version: "v1", Names: []string{"a", "b", "c", "d"}}, true, `first extra: "d"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.CheckSchema(tt.schema)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckSchema() error = %v, wantErr %t", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrSchemaMismatch) {
				t.Errorf("CheckSchema() error = %v, want ErrSchemaMismatch", err)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("CheckSchema() error = %q, want it to mention %q", err, tt.mention)
			}
		})
	}
}

func TestNewForestRejects(t *testing.T) {
	leaf := Node{Flags: FlagLeaf}
	tests := []struct {
		name  string
		width int
		trees []Tree
	}{
		{"no trees", 2, nil},
		{"empty tree", 2, []Tree{{}}},
		{"child before parent", 2, []Tree{{Nodes: []Node{{Next: 0}, leaf, leaf}, Values: []float32{1, 0}}}},
		{"child past end", 2, []Tree{{Nodes: []Node{{Next: 1}, leaf}, Values: []float32{1, 0}}}},
		{"feature out of range", 2, []Tree{{Nodes: []Node{{Feature: 3, Next: 1}, leaf, leaf}, Values: []float32{1, 0}}}},
		{"leaf offset out of range", 2, []Tree{{Nodes: []Node{{Flags: FlagLeaf, Next: 1}}, Values: []float32{1, 0}}}},
		{"nan threshold", 2, []Tree{{Nodes: []Node{{Threshold: nan32, Next: 1}, leaf, leaf}, Values: []float32{1, 0}}}},
		{"nan value", 2, []Tree{{Nodes: []Node{leaf}, Values: []float32{nan32, 0}}}},
		{"unknown flag", 2, []Tree{{Nodes: []Node{{Flags: 0x80 | FlagLeaf}}, Values: []float32{1, 0}}}},
		{"sizes in some trees", 2, []Tree{{Nodes: []Node{leaf}, Values: []float32{1, 0}, Sizes: []int32{1}}, {Nodes: []Node{leaf}, Values: []float32{1, 0}}}},
		{"zero width", 0, []Tree{{Nodes: []Node{leaf}, Values: []float32{1, 0}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewForest(3, tt.width, tt.trees); !errors.Is(err, ErrInvalid) {
				t.Errorf("NewForest() error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := handModel(t)
	m.Evaluation = &Evaluation{Classes: m.Classes, PositiveClass: 1, Threshold: 0.5, ROCAUC: Metric(math.NaN()), PRAUC: 0.7,
		Curves: []ClassCurves{{Class: "malicious", ROC: []ROCPoint{{0, 0, Metric(math.Inf(1))}, {1, 1, 0.1}}}}}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatalf("Save() error = %v", err)
	}
	first := bytes.Clone(buf.Bytes())
	got, err := Load(&buf)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	m.FormatVersion = FormatVersion
	opts := cmp.Options{cmp.AllowUnexported(Forest{}, IsolationForest{}), cmpopts.EquateNaNs(), equateMetrics}
	if diff := cmp.Diff(got, m, opts); diff != "" {
		t.Errorf("Load(Save(m)) (-got, +want):\n%s", diff)
	}
	second, err := got.MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary() error = %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("re-saving a loaded model changed its bytes (%d vs %d bytes)", len(first), len(second))
	}
}

func TestSaveFile(t *testing.T) {
	m := handModel(t)
	path := t.TempDir() + "/m.fsm"
	if err := m.SaveFile(path); err != nil {
		t.Fatalf("SaveFile() error = %v", err)
	}
	got, err := LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile() error = %v", err)
	}
	if got.Forest.NumNodes() != m.Forest.NumNodes() {
		t.Errorf("LoadFile() has %d nodes, want %d", got.Forest.NumNodes(), m.Forest.NumNodes())
	}
	if _, err := LoadFile(path + ".absent"); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("LoadFile(absent) error = %v, want one naming the file", err)
	}
	bad := &Model{Schema: m.Schema}
	if err := bad.SaveFile(path); !errors.Is(err, ErrInvalid) {
		t.Errorf("SaveFile(invalid) error = %v, want ErrInvalid", err)
	}
	if _, err := LoadFile(path); err != nil {
		t.Errorf("a failed SaveFile damaged the previous file: %v", err)
	}
}

// reseal recomputes the checksum after a deliberate edit, so the parser
// behind the checksum is what rejects the file.
func reseal(b []byte) []byte {
	b = bytes.Clone(b)
	body := b[:len(b)-trailerLen]
	b = append(body, 0, 0, 0, 0)
	sum := crc32.Checksum(body, castagnoli)
	b[len(b)-4], b[len(b)-3], b[len(b)-2], b[len(b)-1] = byte(sum), byte(sum>>8), byte(sum>>16), byte(sum>>24)
	return b
}

func TestLoadRejectsDamage(t *testing.T) {
	good, err := handModel(t).MarshalBinary()
	if err != nil {
		t.Fatalf("MarshalBinary() error = %v", err)
	}
	metaLen := int(good[16]) | int(good[17])<<8
	blockStart := headerLen + metaLen
	firstNode := blockStart + blockHdrLen + 4*2 // after two roots
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrFormat},
		{"text", []byte("hello, this is not a model file at all"), ErrFormat},
		{"bad magic", edit(func(b []byte) []byte { b[1] = 'X'; return b }), ErrFormat},
		{"crlf converted", edit(func(b []byte) []byte { return append(b[:4:4], b[5:]...) }), ErrFormat},
		{"newer version", edit(func(b []byte) []byte { b[8] = 2; return b }), ErrVersion},
		{"truncated header", good[:14], ErrFormat},
		{"truncated body", good[:len(good)/2], ErrChecksum},
		{"truncated crc", good[:len(good)-1], ErrChecksum},
		{"flipped byte", edit(func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }), ErrChecksum},
		{"appended byte", append(bytes.Clone(good), 0), ErrChecksum},
		{"unknown flag", reseal(edit(func(b []byte) []byte { b[12] |= 4; return b })), ErrFormat},
		{"metadata too long", reseal(edit(func(b []byte) []byte { b[19] = 0x7f; return b })), ErrFormat},
		{"metadata not json", reseal(edit(func(b []byte) []byte { b[headerLen] = '['; return b })), ErrFormat},
		{"child index past end", reseal(edit(func(b []byte) []byte { b[firstNode+8] = 200; return b })), ErrFormat},
		{"feature out of schema", reseal(edit(func(b []byte) []byte { b[firstNode] = 9; return b })), ErrFormat},
		{"anomaly flag cleared", reseal(edit(func(b []byte) []byte { b[12] &^= flagAnomaly; return b })), ErrFormat},
		{"trailing block bytes", reseal(append(edit(func(b []byte) []byte { return b[:len(b)-4] }), 1, 2, 3, 4, 0, 0, 0, 0)), ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(bytes.NewReader(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load() = %v, %v; want error %v", m, err, tt.want)
			}
			if m != nil {
				t.Errorf("Load() returned a model with error %v", err)
			}
		})
	}
}

func TestMetricJSON(t *testing.T) {
	tests := []struct {
		in   Metric
		want string
	}{
		{0.25, "0.25"},
		{Metric(math.NaN()), "null"},
		{Metric(math.Inf(1)), "null"},
		{1, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatalf("Marshal() error = %v", err)
			}
			if string(b) != tt.want {
				t.Errorf("Marshal(%v) = %s, want %s", float64(tt.in), b, tt.want)
			}
			var back Metric
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("Unmarshal() error = %v", err)
			}
			if tt.in.Valid() != back.Valid() || (tt.in.Valid() && back != tt.in) {
				t.Errorf("Unmarshal(%s) = %v, want %v", b, float64(back), float64(tt.in))
			}
		})
	}
}

func TestEvaluationJSONRoundTrip(t *testing.T) {
	e := &Evaluation{
		Classes: []string{"a", "b"}, PositiveClass: 1, Threshold: 0.5, Accuracy: 0.9, ROCAUC: 0.95, PRAUC: Metric(math.NaN()),
		Confusion:   Confusion{Labels: []string{"a", "b"}, Matrix: [][]int{{5, 1}, {0, 4}}},
		Calibration: Calibration{Of: "P(b)", Bins: []CalibrationBin{{Lower: 0, Upper: 0.5, Count: 0, MeanPredicted: Metric(math.NaN()), Observed: Metric(math.NaN())}}, Brier: 0.1},
		Split:       SplitInfo{Method: "group-kfold", Folds: 3, GroupKey: "capture", Groups: 4, Seed: 1},
	}
	var buf bytes.Buffer
	if err := e.WriteJSON(&buf); err != nil {
		t.Fatalf("WriteJSON() error = %v", err)
	}
	got, err := ReadEvaluation(&buf)
	if err != nil {
		t.Fatalf("ReadEvaluation() error = %v", err)
	}
	if diff := cmp.Diff(got, e, equateMetrics); diff != "" {
		t.Errorf("ReadEvaluation(WriteJSON(e)) (-got, +want):\n%s", diff)
	}
}

func TestForestTreeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var trees []Tree
	for range 4 {
		f := randomForest(t, rng, 3, 2, 1, 3+rng.IntN(20), true)
		tr, err := f.Tree(0)
		if err != nil {
			t.Fatalf("Tree(0) error = %v", err)
		}
		trees = append(trees, tr)
	}
	f, err := NewForest(3, 2, trees)
	if err != nil {
		t.Fatalf("NewForest() error = %v", err)
	}
	for i, want := range trees {
		got, err := f.Tree(i)
		if err != nil {
			t.Fatalf("Tree(%d) error = %v", i, err)
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("Tree(%d) (-got, +want):\n%s", i, diff)
		}
	}
	if _, err := f.Tree(4); !errors.Is(err, ErrShape) {
		t.Errorf("Tree(4) error = %v, want ErrShape", err)
	}
}

// TestMeanBatchParallel: splitting the rows among goroutines changes no
// bit of the result.
func TestMeanBatchParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	f := randomForest(t, rng, 6, 3, 30, 200, false)
	const rows = 5000
	cols := randomCols(rng, 6, rows)
	want := [][]float64{make([]float64, rows), make([]float64, rows), make([]float64, rows)}
	if err := f.MeanBatch(cols, want); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{0, 1, 2, 3, 7, 64} {
		got := [][]float64{make([]float64, rows), make([]float64, rows), make([]float64, rows)}
		if err := f.MeanBatchParallel(cols, got, w); err != nil {
			t.Fatal(err)
		}
		for k := range want {
			for r := range want[k] {
				if math.Float64bits(got[k][r]) != math.Float64bits(want[k][r]) {
					t.Fatalf("workers %d: value %d of row %d is %v, MeanBatch gives %v", w, k, r, got[k][r], want[k][r])
				}
			}
		}
	}
	if err := f.MeanBatchParallel(cols, [][]float64{make([]float64, rows)}, 2); !errors.Is(err, ErrShape) {
		t.Errorf("wrong output shape: error %v, want ErrShape", err)
	}
}
