package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"flowsift/train/model"
)

// gauss approximates a standard normal by the Irwin-Hall sum of 12
// uniforms: unlike rand.NormFloat64, whose tail uses math.Exp, it is the
// same on every platform, which the model-digest golden test needs.
func gauss(rng *rand.Rand) float64 {
	var s float64
	for range 12 {
		s += rng.Float64()
	}
	return s - 6
}

// synth makes a seeded classification problem: class c's rows scatter
// around a centre in the first `informative` features; the other
// features are noise. missing is the fraction of values set to NaN. Groups
// cycle through `groups` names when groups > 0.
func synth(seed uint64, rows, features, informative, classes int, missing float64, groups int) *Dataset {
	rng := rand.New(rand.NewPCG(seed, 99))
	centres := make([][]float64, classes)
	for c := range centres {
		centres[c] = make([]float64, informative)
		for j := range centres[c] {
			// Every informative feature separates neighbouring classes by
			// about 2 standard deviations, so each one carries signal.
			centres[c][j] = float64(c)*2 + 0.3*gauss(rng)
			if j%2 == 1 {
				centres[c][j] = -centres[c][j]
			}
		}
	}
	d := &Dataset{
		Schema:  model.FeatureSchema{Version: "synth-1"},
		X:       make([][]float32, features),
		Y:       make([]int, rows),
		Classes: make([]string, classes),
	}
	for j := range features {
		d.Schema.Names = append(d.Schema.Names, fmt.Sprintf("f%02d", j))
		d.X[j] = make([]float32, rows)
	}
	for c := range classes {
		d.Classes[c] = fmt.Sprintf("class%d", c)
	}
	if groups > 0 {
		d.Groups = make([]string, rows)
	}
	for i := range rows {
		// Class 0 is the majority, as benign traffic is.
		c := 0
		if rng.Float64() < 0.4 {
			c = 1 + rng.IntN(classes-1)
		}
		d.Y[i] = c
		for j := range features {
			v := gauss(rng)
			if j < informative {
				v += centres[c][j]
			}
			if rng.Float64() < missing {
				v = math.NaN()
			}
			d.X[j][i] = float32(v)
		}
		if groups > 0 {
			d.Groups[i] = fmt.Sprintf("g%02d", rng.IntN(groups))
		}
	}
	return d
}

// fastConfig is DefaultConfig shrunk for tests.
func fastConfig() Config {
	c := DefaultConfig()
	c.Trees = 20
	c.Folds = 3
	c.PermutationRepeats = 2
	c.Workers = 2
	return c
}

// accuracyOn scores a model on a dataset.
func accuracyOn(tb testing.TB, m *model.Model, d *Dataset) float64 {
	tb.Helper()
	out := make([][]float64, len(d.Classes))
	for c := range out {
		out[c] = make([]float64, d.Rows())
	}
	if err := m.PredictBatch(d.X, out); err != nil {
		tb.Fatalf("PredictBatch() error = %v", err)
	}
	p := make([]float64, len(d.Classes))
	right := 0
	for i, y := range d.Y {
		for c := range p {
			p[c] = out[c][i]
		}
		if m.Classify(p) == y {
			right++
		}
	}
	return float64(right) / float64(d.Rows())
}
