package datasets

import (
	"math"
	"math/rand/v2"
)

// Random variates here give the same bits on every platform, so a capture
// is byte-identical on amd64 and arm64 alike: explicit float64 conversions
// keep the compiler from fusing a*b+c into one FMA instruction (which Go
// permits on arm64, ppc64 and s390x), and exp and log are computed here
// with basic, correctly rounded operations instead of math's assembly,
// whose last bits differ between architectures.

// lerp maps u in [0, 1) onto [lo, hi).
func lerp(lo, hi, u float64) float64 {
	return lo + float64((hi-lo)*u)
}

// expDraw is an exponential variate with mean 1.
func expDraw(r *rand.Rand) float64 {
	return -lnf(1 - r.Float64())
}

// normDraw is an approximately standard normal variate (Irwin–Hall: the
// sum of twelve uniforms), bounded to ±6.
func normDraw(r *rand.Rand) float64 {
	s := 0.0
	for range 12 {
		s += r.Float64()
	}
	return s - 6
}

const ln2 = 0.6931471805599453

// lnf is the natural logarithm of x > 0: the exponent from Frexp and the
// mantissa from the atanh series, which converges fast on [0.5, 1).
func lnf(x float64) float64 {
	m, e := math.Frexp(x)
	y := float64(m-1) / float64(m+1)
	y2 := float64(y * y)
	term, s := y, y
	for k := 3.0; k <= 41; k += 2 {
		term = float64(term * y2)
		s += float64(term / k)
	}
	return float64(2*s) + float64(float64(e)*ln2)
}

// expf is e^x: x = k·ln2 + r with |r| <= ln2/2, a Taylor series for e^r
// and an exact scaling by 2^k.
func expf(x float64) float64 {
	k := math.Round(x / ln2)
	r := x - float64(k*ln2)
	term, s := 1.0, 1.0
	for n := 1.0; n <= 20; n++ {
		term = float64(term*r) / n
		s += term
	}
	return math.Ldexp(s, int(k))
}
