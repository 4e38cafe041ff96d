package dns

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNameMetrics(t *testing.T) {
	tests := []struct {
		name string
		want Metrics
	}{
		{"", Metrics{}},
		{"localhost", Metrics{Length: 9, Labels: 1, LongestLabel: 9, Entropy: entropyOf("localhost")}},
		{"aaaa", Metrics{Length: 4, Labels: 1, LongestLabel: 4}},
		{"www.example.com", Metrics{Length: 15, Labels: 3, LongestLabel: 7, Entropy: entropyOf("www.example.com"), RegisteredDomain: "example.com"}},
		{"a.b.example.co.uk", Metrics{Length: 17, Labels: 5, LongestLabel: 7, Entropy: entropyOf("a.b.example.co.uk"), RegisteredDomain: "example.co.uk"}},
		{"co.uk", Metrics{Length: 5, Labels: 2, LongestLabel: 2, Entropy: entropyOf("co.uk")}},
		{"com", Metrics{Length: 3, Labels: 1, LongestLabel: 3, Entropy: entropyOf("com")}},
		{"a..com", Metrics{Length: 6, Labels: 3, LongestLabel: 3, Entropy: entropyOf("a..com")}},
		{"1.2.0.192.in-addr.arpa", Metrics{Length: 22, Labels: 6, LongestLabel: 7, Entropy: entropyOf("1.2.0.192.in-addr.arpa"), RegisteredDomain: "192.in-addr.arpa"}},
		{"x.unknown-tld-zz", Metrics{Length: 16, Labels: 2, LongestLabel: 14, Entropy: entropyOf("x.unknown-tld-zz"), RegisteredDomain: "x.unknown-tld-zz"}},
		{"\xff.example.net", Metrics{Length: 13, Labels: 3, LongestLabel: 7, Entropy: entropyOf("\xff.example.net"), RegisteredDomain: "example.net"}},
		{"\xff.net", Metrics{Length: 5, Labels: 2, LongestLabel: 3, Entropy: entropyOf("\xff.net"), RegisteredDomain: `\xff.net`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NameMetrics([]byte(tt.name))
			if diff := cmp.Diff(got, tt.want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("NameMetrics(%q) (-got, +want):\n%s", tt.name, diff)
			}
		})
	}
}

// entropyOf is the textbook formula, written independently of NameMetrics.
func entropyOf(s string) float64 {
	freq := map[rune]float64{}
	for _, c := range []byte(s) {
		freq[rune(c)]++
	}
	h := 0.0
	for _, f := range freq {
		p := f / float64(len(s))
		h -= p * math.Log2(p)
	}
	return h
}

func TestEntropyKnownValues(t *testing.T) {
	// Two equally frequent symbols carry one bit; 16 distinct ones four.
	if got := NameMetrics([]byte("abab")).Entropy; math.Abs(got-1) > 1e-12 {
		t.Errorf("NameMetrics(abab).Entropy = %v, want 1", got)
	}
	if got := NameMetrics([]byte("0123456789abcdef")).Entropy; math.Abs(got-4) > 1e-12 {
		t.Errorf("NameMetrics(0-f).Entropy = %v, want 4", got)
	}
}
