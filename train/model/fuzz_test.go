package model

import (
	"errors"
	"math"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the decoder, with and without the
// checksum (without it the fuzzer reaches the parser behind it). Whatever
// decodes must be usable: inference must not panic and re-encoding must
// round-trip.
func FuzzLoad(f *testing.F) {
	good, err := handModel(f).MarshalBinary()
	if err != nil {
		f.Fatalf("MarshalBinary() error = %v", err)
	}
	classifierOnly := handModel(f)
	classifierOnly.Anomaly = nil
	small, err := classifierOnly.MarshalBinary()
	if err != nil {
		f.Fatalf("MarshalBinary() error = %v", err)
	}
	f.Add(good)
	f.Add(small)
	f.Add(good[:len(good)/2])
	f.Add(good[:headerLen+3])
	f.Add(magic[:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, verify := range []bool{true, false} {
			m, err := decode(b, verify)
			if err != nil {
				if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrVersion) && !errors.Is(err, ErrChecksum) {
					t.Fatalf("decode() error = %v, want one of the sentinels", err)
				}
				continue
			}
			row := make([]float32, len(m.Schema.Names))
			for j := range row {
				if j%2 == 1 {
					row[j] = float32(math.NaN())
				}
			}
			if m.Forest != nil {
				if err := m.PredictProba(row, make([]float64, len(m.Classes))); err != nil {
					t.Fatalf("PredictProba() on a loaded model error = %v", err)
				}
			}
			if m.Anomaly != nil {
				if _, err := m.AnomalyScore(row); err != nil {
					t.Fatalf("AnomalyScore() on a loaded model error = %v", err)
				}
				if _, err := m.Explain(row); err != nil {
					t.Fatalf("Explain() on a loaded model error = %v", err)
				}
			}
			again, err := m.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary() of a loaded model error = %v", err)
			}
			if _, err := decode(again, true); err != nil {
				t.Fatalf("decode(MarshalBinary()) error = %v", err)
			}
		}
	})
}
