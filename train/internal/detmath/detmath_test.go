package detmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps is the distance between a and b in units in the last place.
func ulps(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Abs(math.Nextafter(b, math.Inf(1))-b)
}

func TestAgainstStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		x := math.Exp(rng.Float64()*80 - 40)
		if u := ulps(Log(x), math.Log(x)); u > 4 {
			t.Errorf("Log(%v) = %v, math.Log %v (%v ulps)", x, Log(x), math.Log(x), u)
		}
		if u := ulps(Log2(x), math.Log2(x)); u > 4 && math.Abs(Log2(x)-math.Log2(x)) > 1e-15 {
			t.Errorf("Log2(%v) = %v, math.Log2 %v (%v ulps)", x, Log2(x), math.Log2(x), u)
		}
		y := rng.Float64()*60 - 30
		if u := ulps(Exp2(y), math.Exp2(y)); u > 4 {
			t.Errorf("Exp2(%v) = %v, math.Exp2 %v (%v ulps)", y, Exp2(y), math.Exp2(y), u)
		}
	}
}

func TestSpecialValues(t *testing.T) {
	tests := []struct {
		name      string
		got, want float64
	}{
		{"Log(1)", Log(1), 0},
		{"Log(0)", Log(0), math.Inf(-1)},
		{"Log(+Inf)", Log(math.Inf(1)), math.Inf(1)},
		{"Log(e)", Log(math.E), 1},
		{"Log2(1024)", Log2(1024), 10},
		{"Log2(0.125)", Log2(0.125), -3},
		{"Log2(1)", Log2(1), 0},
		{"Exp2(0)", Exp2(0), 1},
		{"Exp2(10)", Exp2(10), 1024},
		{"Exp2(-3)", Exp2(-3), 0.125},
		{"Exp2(2000)", Exp2(2000), math.Inf(1)},
		{"Exp2(-2000)", Exp2(-2000), 0},
	}
	for _, tt := range tests {
		if !(tt.got == tt.want || ulps(tt.got, tt.want) <= 1) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for _, v := range []float64{Log(-1), Log(math.NaN()), Log2(-1), Exp2(math.NaN())} {
		if !math.IsNaN(v) {
			t.Errorf("got %v, want NaN", v)
		}
	}
}
