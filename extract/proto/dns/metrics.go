package dns

import (
	"math"

	"golang.org/x/net/publicsuffix"

	"flowsift/extract/proto/text"
)

// Metrics are the features of a query name that tunnelling detectors use.
// Lengths count octets of the name as sent (dots included, no trailing dot),
// not characters of its escaped text, so that binary labels are not
// inflated fourfold by \xNN escapes.
type Metrics struct {
	// Length is the number of octets in the name.
	Length int
	// Labels is the number of labels (0 for the root).
	Labels int
	// LongestLabel is the length of the longest label.
	LongestLabel int
	// Entropy is the Shannon entropy of the name's octets in bits per
	// octet (0 for names of fewer than two distinct octets).
	Entropy float64
	// RegisteredDomain is the name's eTLD+1 by the public suffix list, or ""
	// when the name has none (a public suffix itself, a single label, the
	// root, or a name with empty labels).
	RegisteredDomain string
}

// NameMetrics computes Metrics for a raw name as in Message.RawQuery. The
// registered domain is escaped like every other string from traffic.
func NameMetrics(name []byte) Metrics {
	var mt Metrics
	mt.Length = len(name)
	if len(name) == 0 {
		return mt
	}
	var counts [256]uint32
	cur := 0
	mt.Labels = 1
	for _, c := range name {
		counts[c]++
		if c == '.' {
			mt.Labels++
			cur = 0
			continue
		}
		cur++
		if cur > mt.LongestLabel {
			mt.LongestLabel = cur
		}
	}
	n := float64(len(name))
	for _, k := range counts {
		if k == 0 {
			continue
		}
		p := float64(k) / n
		mt.Entropy -= p * math.Log2(p)
	}
	if mt.Entropy < 0 {
		// -0 from a single distinct octet.
		mt.Entropy = 0
	}
	mt.RegisteredDomain = registeredDomain(name)
	return mt
}

// registeredDomain returns the eTLD+1 of name, or "" when it has none. It
// does the work of publicsuffix.EffectiveTLDPlusOne without building an
// error value for the many names that have no registered domain.
func registeredDomain(name []byte) string {
	if len(name) == 0 || name[0] == '.' || name[len(name)-1] == '.' {
		return ""
	}
	dot := false
	for i, c := range name {
		if c == '.' {
			if i > 0 && name[i-1] == '.' {
				return ""
			}
			dot = true
		}
	}
	if !dot {
		return ""
	}
	s := string(name)
	suffix, _ := publicsuffix.PublicSuffix(s)
	if len(suffix) >= len(s) {
		return ""
	}
	i := len(s) - len(suffix) - 1
	if s[i] != '.' {
		return ""
	}
	j := i - 1
	for j >= 0 && s[j] != '.' {
		j--
	}
	return text.String(name[j+1:])
}
