// Package detmath computes the few transcendental functions flowsift's
// training needs so that every machine gets the same bits.
//
// The standard library's math.Log and math.Exp run assembly on some
// architectures (amd64, arm64, s390x) and portable Go on others, and the
// two may differ in the last bit; a compiler may also fuse x*y+z into one
// rounding on some targets. A model whose bytes must not depend on the
// machine cannot store values computed that way. These functions use only
// exactly specified operations (IEEE-754 add, multiply, divide, each
// product rounded explicitly so that it cannot be fused, and exact
// exponent manipulation) and stay within a few units in the last place of
// the true result.
//
// # Input
//
// float64 arguments.
//
// # Output
//
// float64 results, identical on every platform.
//
// # Invariants
//
// Log(2^k) and Log2(2^k) are exact in the sense Log2(2^k) == k; Exp2(k) ==
// 2^k for integer k in range.
package detmath

import "math"

const (
	ln2Hi = 6.93147180369123816490e-01 // upper bits of ln 2, exact times small integers
	ln2Lo = 1.90821492927058770002e-10 // ln 2 - ln2Hi
	// logTerms: s^2 <= 0.0295, so 0.0295^14 is far below 2^-53.
	logTerms = 14
	// expTerms: |t| <= 0.347, so 0.347^20/20! is far below 2^-53.
	expTerms = 20
)

// lnMantissa returns ln(m) for m in [sqrt(1/2), sqrt(2)) from
// ln(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1).
func lnMantissa(m float64) float64 {
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	p := 1 / float64(2*logTerms+1)
	for k := logTerms - 1; k >= 0; k-- {
		p = float64(p*s2) + 1/float64(2*k+1)
	}
	return float64(2 * float64(s*p))
}

// split returns x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
func split(x float64) (float64, int) {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	return m, e
}

// Log returns the natural logarithm of x.
func Log(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := split(x)
	fe := float64(e)
	return float64(fe*ln2Hi) + (float64(fe*ln2Lo) + lnMantissa(m))
}

// Log2 returns the binary logarithm of x.
func Log2(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := split(x)
	return float64(e) + float64(lnMantissa(m)*(1/math.Ln2))
}

// Exp2 returns 2^x.
func Exp2(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 1024:
		return math.Inf(1)
	case x < -1080:
		return 0
	}
	k := math.RoundToEven(x)
	t := float64((x - k) * math.Ln2) // |t| <= ln2/2
	p := 1.0
	for n := expTerms; n >= 1; n-- {
		p = float64(float64(p*t)/float64(n)) + 1
	}
	return math.Ldexp(p, int(k))
}
