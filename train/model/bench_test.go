package model

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func BenchmarkPredictBatch(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	f := randomForest(b, rng, 40, 2, 100, 2000, false)
	m := &Model{Classes: []string{"a", "b"}, Forest: f}
	const rows = 10000
	cols := randomCols(rng, 40, rows)
	out := [][]float64{make([]float64, rows), make([]float64, rows)}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.PredictBatch(cols, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkPredictProba(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	f := randomForest(b, rng, 40, 2, 100, 2000, false)
	m := &Model{Classes: []string{"a", "b"}, Forest: f}
	const rows = 10000
	cols := randomCols(rng, 40, rows)
	flat := make([]float32, 40*rows) // row-major, as a caller scoring one row at a time holds it
	for i := range rows {
		for j := range 40 {
			flat[i*40+j] = cols[j][i]
		}
	}
	out := make([]float64, 2)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := m.PredictProba(flat[i*40:i*40+40], out); err != nil {
			b.Fatal(err)
		}
		i = (i + 1) % rows
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkLoad decodes a 100-tree forest of about a million nodes, the
// size of a fully grown forest on a few hundred thousand flows.
func BenchmarkLoad(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	names := make([]string, 40)
	for j := range names {
		names[j] = string(rune('a'+j%26)) + string(rune('a'+j/26))
	}
	m := &Model{
		Schema:  FeatureSchema{Version: "bench", Names: names},
		Classes: []string{"benign", "malicious"}, PositiveClass: 1, Threshold: 0.5,
		Forest: randomForest(b, rng, 40, 2, 100, 5000, false),
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.Forest.NumNodes()), "nodes")
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/load")
}
