package datasets

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPortableMath(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-9, 0.001, 0.25, 0.5, 0.75, 0.999999, 1, 2, 10, 12345.678} {
		if got, want := lnf(x), math.Log(x); math.Abs(got-want) > 1e-13*math.Max(1, math.Abs(want)) {
			t.Errorf("lnf(%g) = %.17g, want %.17g", x, got, want)
		}
	}
	for _, x := range []float64{-30, -5, -0.5, -1e-9, 0, 1e-9, 0.3, 1, 2.5, 7, 30} {
		if got, want := expf(x), math.Exp(x); math.Abs(got-want) > 1e-13*want {
			t.Errorf("expf(%g) = %.17g, want %.17g", x, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	var se, sn, sn2 float64
	const n = 200000
	for range n {
		se += expDraw(r)
		z := normDraw(r)
		sn += z
		sn2 += z * z
	}
	if m := se / n; math.Abs(m-1) > 0.01 {
		t.Errorf("expDraw mean %.4f, want 1", m)
	}
	if m, v := sn/n, sn2/n; math.Abs(m) > 0.01 || math.Abs(v-1) > 0.01 {
		t.Errorf("normDraw mean %.4f variance %.4f, want 0 and 1", m, v)
	}
}
