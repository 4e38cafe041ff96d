package sigma

import (
	"math/bits"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps s to its simple case folding: every rune becomes the lower-case
// form of the smallest rune in its Unicode folding orbit, so that K (Kelvin
// sign), K and k, or ſ, S and s, fold alike. ASCII-only folding would let
// such characters evade case-insensitive rules. Invalid UTF-8 bytes are
// kept as they are. s is returned unchanged (no allocation) when it is
// already folded ASCII.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return foldFrom(s, i)
		}
	}
	return s
}

func foldFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteRune(foldRune(r))
		i += size
	}
	return b.String()
}

func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return unicode.ToLower(m)
}

type strOp uint8

const (
	opEq strOp = iota
	opPrefix
	opSuffix
	opContains
	opStars // only * wildcards, more than one literal run
	opGlob  // ? wildcards: a compiled regular expression
	opAny   // a lone *: any present value
)

// strMatcher matches one Sigma string pattern. Unless cased, its literals
// are folded and it is applied to folded text.
type strMatcher struct {
	op    strOp
	lit   string
	segs  []string // opStars: literal runs between stars
	lead  bool     // opStars: pattern starts with *
	trail bool     // opStars: pattern ends with *
	re    *regexp.Regexp
	cased bool
	// needle is a folded literal that every matching value contains (used
	// to prefilter rows with one Aho-Corasick pass); empty when none.
	needle string
	pat    pattern
}

func newStrMatcher(p pattern, cased bool) *strMatcher {
	p = p.normalize()
	m := &strMatcher{cased: cased, pat: p}
	norm := func(s string) string {
		if cased {
			return s
		}
		return fold(s)
	}
	longest := ""
	stars, ones := 0, 0
	for _, t := range p {
		switch t.kind {
		case tokStar:
			stars++
		case tokOne:
			ones++
		default:
			if len(t.s) > len(longest) {
				longest = t.s
			}
		}
	}
	m.needle = fold(longest)
	switch {
	case stars == 0 && ones == 0:
		m.op, m.lit = opEq, norm(p.plain())
	case ones > 0:
		var b strings.Builder
		b.WriteString(`(?s)^`)
		for _, t := range p {
			switch t.kind {
			case tokStar:
				b.WriteString(`.*`)
			case tokOne:
				b.WriteString(`.`)
			default:
				b.WriteString(regexp.QuoteMeta(norm(t.s)))
			}
		}
		b.WriteString(`$`)
		m.op = opGlob
		m.re = regexp.MustCompile(b.String()) // quoted literals always compile
	case len(p) == 1:
		m.op = opAny
	case len(p) == 2 && p[1].kind == tokStar:
		m.op, m.lit = opPrefix, norm(p[0].s)
	case len(p) == 2 && p[0].kind == tokStar:
		m.op, m.lit = opSuffix, norm(p[1].s)
	case len(p) == 3 && p[0].kind == tokStar && p[2].kind == tokStar:
		m.op, m.lit = opContains, norm(p[1].s)
	default:
		m.op = opStars
		m.lead, m.trail = p.startsWithStar(), p.endsWithStar()
		for _, t := range p {
			if t.kind == tokLit {
				m.segs = append(m.segs, norm(t.s))
			}
		}
	}
	return m
}

func (m *strMatcher) match(s string) bool {
	switch m.op {
	case opEq:
		return s == m.lit
	case opPrefix:
		return strings.HasPrefix(s, m.lit)
	case opSuffix:
		return strings.HasSuffix(s, m.lit)
	case opContains:
		return strings.Contains(s, m.lit)
	case opAny:
		return true
	case opGlob:
		return m.re.MatchString(s)
	}
	return matchStars(s, m.segs, m.lead, m.trail)
}

// matchStars matches literal runs separated by stars: the first run is
// anchored at the start unless lead, the last at the end unless trail, and
// the runs in between are found leftmost-first, which is optimal for
// star-only patterns.
func matchStars(s string, segs []string, lead, trail bool) bool {
	first, last := 0, len(segs)
	if !lead && first < last {
		if !strings.HasPrefix(s, segs[0]) {
			return false
		}
		s = s[len(segs[0]):]
		first = 1
	}
	if !trail {
		if first >= last {
			return s == ""
		}
		if !strings.HasSuffix(s, segs[last-1]) {
			return false
		}
		s = s[:len(s)-len(segs[last-1])]
		last--
	}
	for i := first; i < last; i++ {
		k := strings.Index(s, segs[i])
		if k < 0 {
			return false
		}
		s = s[k+len(segs[i]):]
	}
	return true
}

// bitmap holds one bit per row of a batch.
type bitmap []uint64

func newBitmap(n int) bitmap { return make(bitmap, (n+63)/64) }

func fullBitmap(n int) bitmap {
	b := newBitmap(n)
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n % 64; r != 0 {
		b[len(b)-1] = (1 << uint(r)) - 1
	}
	return b
}

func (b bitmap) set(i int)     { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitmap) clone() bitmap { return append(bitmap(nil), b...) }
func (b bitmap) andWith(o bitmap) {
	for i := range b {
		b[i] &= o[i]
	}
}
func (b bitmap) orWith(o bitmap) {
	for i := range b {
		b[i] |= o[i]
	}
}
func (b bitmap) andNotWith(o bitmap) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bitmap) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// each calls f for every set bit in ascending order.
func (b bitmap) each(f func(i int)) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(wi<<6 | t)
			w &= w - 1
		}
	}
}
